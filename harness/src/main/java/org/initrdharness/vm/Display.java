package org.initrdharness.vm;

/** What the guest gets as a screen. */
public enum Display {
    /** No display device: serial console only. */
    NONE,
    /**
     * A display device (VGA on x86_64, virtio-gpu on aarch64) with no window: QMP screendumps
     * show what plymouth or a framebuffer console drew.
     */
    VGA
}
