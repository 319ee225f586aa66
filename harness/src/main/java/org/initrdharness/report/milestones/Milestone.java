package org.initrdharness.report.milestones;

/** The moments of a boot the reports compare, in boot order; times are seconds since QEMU started. */
public enum Milestone {
    QEMU_START("qemu-start", "QEMU started"),
    KERNEL("kernel", "the kernel's first line"),
    INIT("init", "/init started"),
    PROMPT("prompt", "first prompt (passphrase, emergency shell, Enter)"),
    ROOT_DEVICE("root-device", "root device found (initrd-root-device.target)"),
    SYSROOT_MOUNT("sysroot-mount", "sysroot.mount mounted"),
    SWITCH_ROOT("switch-root", "switch-root began (initrd-switch-root.service)"),
    STAGE2("stage2", "stage 2 (its marker line)");

    private final String id;
    private final String description;

    Milestone(String id, String description) {
        this.id = id;
        this.description = description;
    }

    public String id() { return id; }

    public String description() { return description; }

    /** The milestone with this JSON id, or null. */
    public static Milestone byId(String id) {
        for (Milestone m : values()) if (m.id.equals(id)) return m;
        return null;
    }
}
