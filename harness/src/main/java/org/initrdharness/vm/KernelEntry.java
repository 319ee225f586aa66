package org.initrdharness.vm;

import java.util.Arrays;
import java.util.Locale;

/**
 * How QEMU enters an x86_64 kernel. Through the bzImage's real-mode boot protocol the guest
 * first decompresses its own kernel, which takes seconds under TCG; through the PVH ELF note
 * QEMU loads the already decompressed {@code vmlinux} and jumps to its 32-bit entry.
 * aarch64 has one entry: QEMU unpacks the Image on the host.
 */
public enum KernelEntry {
    /** The vmlinux's PVH entry (XEN_ELFNOTE_PHYS32_ENTRY), when the kernel has one. */
    PVH("pvh"),
    /** The bzImage boot protocol: the kernel's own decompressor runs in the guest. */
    BZIMAGE("bzimage");

    private final String id;

    KernelEntry(String id) {
        this.id = id;
    }

    /** "pvh" or "bzimage", as on the command line. */
    public String id() {
        return id;
    }

    /** Parses "pvh" or "bzimage"; anything else is refused naming both. */
    public static KernelEntry parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).trim();
        for (KernelEntry e : values()) {
            if (e.id.equals(n)) return e;
        }
        throw new IllegalArgumentException("unknown kernel entry '" + name + "': use one of "
                + Arrays.stream(values()).map(KernelEntry::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
