package org.initrdharness.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads e_machine from an ELF header (little-endian files only, as on both guest arches). */
final class ElfMachine {
    private ElfMachine() {
    }

    /** e_machine, or -1 when the file is not ELF. */
    static int of(Path file) throws IOException {
        byte[] h = new byte[20];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(h, 0, 20) < 20) return -1;
        }
        if (h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F') return -1;
        return (h[18] & 0xff) | (h[19] & 0xff) << 8;
    }
}
