package org.initrdharness.initrd.elf;

import java.io.IOException;
import java.nio.file.Path;

/** A file that starts like ELF but whose headers cannot be read; the message names the file. */
public class ElfFormatException extends IOException {
    public ElfFormatException(Path file, String what) {
        super(file + ": not a readable ELF file: " + what);
    }
}
