package org.initrdharness.initrd.elf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One ELF note: owner name ("GNU", "FDO"), type and descriptor bytes. systemd's dlopen metadata
 * is owner "FDO", type {@link #FDO_DLOPEN_METADATA}, descriptor a NUL-padded JSON array.
 */
public record ElfNote(String owner, int type, byte[] descriptor) {
    /** n_type of systemd's .note.dlopen entries. */
    public static final int FDO_DLOPEN_METADATA = 0x407c0c0a;

    public ElfNote {
        descriptor = descriptor.clone();
    }

    @Override
    public byte[] descriptor() {
        return descriptor.clone();
    }

    /** The descriptor as UTF-8 text with trailing NULs dropped. */
    public String descriptorText() {
        int end = descriptor.length;
        while (end > 0 && descriptor[end - 1] == 0) end--;
        return new String(descriptor, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ElfNote n && n.owner.equals(owner) && n.type == type
                && Arrays.equals(n.descriptor, descriptor);
    }

    @Override
    public int hashCode() {
        return owner.hashCode() * 31 + type * 17 + Arrays.hashCode(descriptor);
    }

    @Override
    public String toString() {
        return "ElfNote[" + owner + ", 0x" + Integer.toHexString(type) + ", " + descriptor.length + " bytes]";
    }
}
