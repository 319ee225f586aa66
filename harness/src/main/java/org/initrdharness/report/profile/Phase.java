package org.initrdharness.report.profile;

import java.util.regex.Pattern;

/**
 * Milestones of a boot as the console shows them, in boot order. Each is the first console line
 * that matches; a kernel line's own timestamp is ignored, the harness's clock is used.
 */
public enum Phase {
    KERNEL("kernel", "the kernel's first line", Pattern.compile("\\] Linux version ")),
    INIT("init", "/init runs", Pattern.compile("Run /init as init process|Run \\S+ as init process")),
    SYSTEMD("systemd", "systemd starts", Pattern.compile("systemd\\[1\\]: systemd \\d+\\S* running in system mode")),
    ROOT_DEVICE("root-device", "initrd-root-device.target", Pattern.compile("Reached target initrd-root-device\\.target|Reached target initrd-root…e\\.target")),
    SYSROOT("sysroot", "initrd-root-fs.target (root mounted)", Pattern.compile("Reached target initrd-root-fs\\.target|Reached target initrd-root…get - Initrd Root File System")),
    SWITCH_ROOT("switch-root", "initrd-switch-root.target", Pattern.compile("Reached target initrd-switch-root\\.target")),
    STAGE2("stage2", "stage 2 (the stage-2 marker)", null);

    private final String id;
    private final String description;
    private final Pattern pattern;

    Phase(String id, String description, Pattern pattern) {
        this.id = id;
        this.description = description;
        this.pattern = pattern;
    }

    public String id() { return id; }

    public String description() { return description; }

    /** The console pattern; null for {@link #STAGE2}, whose marker the caller gives. */
    Pattern pattern() { return pattern; }
}
