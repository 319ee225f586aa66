package org.initrdharness.stage1;

import java.util.List;

/**
 * The scripted stage 1's hooks as systemd units, so that old configurations keep working under
 * a systemd initrd. Each hook runs once, in the sysroot's shell, with its output on the console;
 * a non-zero exit status fails the unit, and the boot goes to emergency with a console line that
 * names the hook. The order, next to NixOS's scripted stage 1, is in {@code stage1/README.md}.
 */
public final class LegacyHooks {
    private LegacyHooks() {}

    /** A hook: its option name, its unit, and where it sits in the boot. */
    public record Hook(String option, String unit, String description, String unitSection, String wantedBy,
            boolean failsBoot) {}

    static final String RUNNER = "/usr/lib/stage1/run-hook";

    /** The hooks in boot order. */
    public static final List<Hook> HOOKS = List.of(
            new Hook("preDeviceCommands", "stage1-pre-device.service",
                    "before udev coldplug",
                    "After=systemd-modules-load.service systemd-journald.socket\n"
                            + "Before=systemd-udevd.service systemd-udev-trigger.service sysinit.target\n",
                    "sysinit.target", true),
            new Hook("postDeviceCommands", "stage1-post-device.service",
                    "after devices settled and LUKS opened, before /sysroot is mounted",
                    "After=systemd-udev-trigger.service cryptsetup.target initrd-root-device.target\n"
                            + "Before=sysroot.mount initrd-root-fs.target\n",
                    "initrd-root-fs.target", true),
            new Hook("postMountCommands", "stage1-post-mount.service",
                    "after /sysroot is mounted, before switch-root",
                    "After=sysroot.mount initrd-root-fs.target initrd-fs.target\n"
                            + "Before=initrd.target initrd-cleanup.service initrd-switch-root.target\n",
                    "initrd.target", true),
            new Hook("preFailCommands", "stage1-pre-fail.service",
                    "when the boot falls into emergency",
                    "Before=emergency.service\n",
                    "emergency.target", false));

    static void compose(Stage1Options o, Stage1Composition.Collector c) {
        boolean any = false;
        for (Hook h : HOOKS) {
            String commands = commands(o, h.option());
            if (commands == null) continue;
            any = true;
            String script = "/etc/stage1/hooks/" + h.option();
            c.text(Component.HOOKS, script, commands.endsWith("\n") ? commands : commands + "\n", 0755,
                    "option " + h.option());
            c.text(Component.HOOKS, SystemdStage1.ETC_UNITS + h.unit(), unit(h, o), 0644,
                    "option " + h.option() + ": the hook as a unit");
            c.link(Component.HOOKS, SystemdStage1.ETC_UNITS + h.wantedBy() + ".wants/" + h.unit(), "../" + h.unit(),
                    "option " + h.option() + ": wanted by " + h.wantedBy());
        }
        if (any) {
            c.text(Component.HOOKS, RUNNER, runner(o.hookShell().command()), 0755,
                    "runs a legacy hook and names it when it fails");
        }
    }

    static String commands(Stage1Options o, String option) {
        return switch (option) {
            case "preDeviceCommands" -> o.preDeviceCommands();
            case "postDeviceCommands" -> o.postDeviceCommands();
            case "postMountCommands" -> o.postMountCommands();
            case "preFailCommands" -> o.preFailCommands();
            default -> throw new IllegalArgumentException(option);
        };
    }

    static String unit(Hook h, Stage1Options o) {
        StringBuilder u = new StringBuilder("[Unit]\n")
                // Short: the console's 80 columns must still show the hook's name in "Failed to start".
                .append("Description=").append(h.option()).append(" hook\n")
                .append("Documentation=file:/etc/stage1/hooks/").append(h.option()).append('\n')
                .append("DefaultDependencies=no\n")
                .append(h.unitSection());
        if (h.failsBoot()) {
            // isolate: the units after the hook are only ordered after it, so without it the boot
            // would go on behind the emergency shell (mounting /sysroot, running postMountCommands).
            u.append("OnFailure=emergency.target\nOnFailureJobMode=isolate\n");
        }
        u.append("\n[Service]\nType=oneshot\nRemainAfterExit=yes\n");
        if (h.option().equals("postDeviceCommands")) {
            // "Devices settled" as the scripted stage 1 meant it, without holding up sysinit.target.
            u.append("ExecStartPre=-/usr/bin/udevadm settle\n");
        }
        u.append("ExecStart=").append(RUNNER).append(' ').append(h.option()).append('\n')
                .append("StandardOutput=journal+console\nStandardError=journal+console\n")
                .append("TimeoutStartSec=infinity\n");
        return u.toString();
    }

    private static String runner(String shell) {
        return "#!" + shell + "\n"
                + "# Runs /etc/stage1/hooks/$1 once; a non-zero status fails the unit and names the hook.\n"
                + "name=\"$1\"\n"
                + "echo \"stage1: running $name\"\n"
                + shell + " /etc/stage1/hooks/\"$name\"\n"
                + "status=$?\n"
                + "if [ \"$status\" -ne 0 ]; then\n"
                + "  echo \"stage1: hook $name failed with exit status $status\" >/dev/console\n"
                + "  echo \"stage1: hook $name failed with exit status $status\"\n"
                + "  exit \"$status\"\n"
                + "fi\n"
                + "echo \"stage1: $name done\"\n";
    }
}
