package org.initrdharness.report.profile;

import java.util.regex.Pattern;

/**
 * Milestones of a boot as the console shows them, in boot order: the first console line that
 * matches a pattern, or the time a stage-1 target was reached. A kernel line's own timestamp is
 * ignored; the harness's clock (seconds since QEMU started) is used.
 */
public enum Phase {
    KERNEL("kernel", "the kernel's first line", Pattern.compile("\\] Linux version "), null),
    INIT("init", "/init runs", Pattern.compile("Run \\S+ as init process"), null),
    SYSTEMD("systemd", "systemd starts", Pattern.compile("systemd\\[1\\]: systemd \\d+\\S* running in system mode"), null),
    ROOT_DEVICE("root-device", "root device found", null, "initrd-root-device.target"),
    SYSROOT("sysroot", "root mounted", null, "initrd-root-fs.target"),
    SWITCH_ROOT("switch-root", "ready to switch root", null, "initrd-switch-root.target"),
    STAGE2("stage2", "stage 2 (its marker line)", null, null);

    private final String id;
    private final String description;
    private final Pattern pattern;
    private final String target;

    Phase(String id, String description, Pattern pattern, String target) {
        this.id = id;
        this.description = description;
        this.pattern = pattern;
        this.target = target;
    }

    public String id() { return id; }

    public String description() { return description; }

    /** The console pattern, or null: a target's phase, or {@link #STAGE2}, whose marker the caller gives. */
    Pattern pattern() { return pattern; }

    /** The stage-1 target whose "Reached target" line this phase is, or null. */
    String target() { return target; }
}
