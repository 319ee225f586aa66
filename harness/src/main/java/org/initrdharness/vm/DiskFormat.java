package org.initrdharness.vm;

import java.util.Locale;

/** The format of a disk image, as qemu-img names it. */
public enum DiskFormat {
    RAW, QCOW2;

    /** "raw" or "qcow2". */
    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Guesses from the file name: ".qcow2" is qcow2, anything else raw. */
    public static DiskFormat guess(java.nio.file.Path image) {
        return image.getFileName().toString().endsWith(".qcow2") ? QCOW2 : RAW;
    }
}
