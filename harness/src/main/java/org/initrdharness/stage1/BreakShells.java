package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SHELL;

import java.util.Map;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Breakpoint;

/**
 * A unit per {@link Breakpoint}, each started only when the kernel command line names it
 * ({@code rd.harness.break=pre-mount}): stage 1 stops there with a root shell on the machine's
 * second console ({@link Arch#secondConsole()}, never the console plymouth and systemd write
 * to) until the shell ends ({@code continue} or {@code exit}). Ordered like dracut's hooks of
 * the same names, as the legacy hooks are. Without the parameter no unit of theirs is in the
 * boot's transaction: a generator pulls in the one named. A unit kept in and skipped by its
 * condition would still hold up what is ordered after it (pre-mount waits for udev's coldplug:
 * the root's mount 3-4 s late on aarch64).
 */
final class BreakShells {
    private BreakShells() {}

    static final String SCRIPT = "/usr/lib/stage1/break-shell";
    static final String RC = "/usr/lib/stage1/break-shell.rc";
    static final String GENERATOR = "/usr/lib/systemd/system-generators/harness-break-generator";

    /** Where each point sits: the [Unit] ordering and the target that wants it. */
    private record Place(String ordering, String wantedBy) {}

    private static final Map<Breakpoint, Place> PLACES = Map.of(
            Breakpoint.INITRD, new Place(
                    "After=systemd-modules-load.service systemd-journald.socket\n"
                            + "Before=systemd-udevd.service systemd-udev-trigger.service sysinit.target\n",
                    "sysinit.target"),
            Breakpoint.PRE_MOUNT, new Place(
                    "After=systemd-udev-trigger.service cryptsetup.target initrd-root-device.target\n"
                            + "Before=sysroot.mount initrd-root-fs.target\n",
                    "initrd-root-fs.target"),
            Breakpoint.PRE_SWITCH_ROOT, new Place(
                    "After=sysroot.mount initrd-root-fs.target initrd-fs.target initrd-parse-etc.service\n"
                            + "Before=initrd.target initrd-cleanup.service initrd-switch-root.target\n",
                    "initrd.target"),
            // Beside the emergency shell on the first console, not before it.
            Breakpoint.ON_FAILURE, new Place("", "emergency.target"));

    static void compose(Arch arch, Stage1Composition.Collector c) {
        // hvc0 on aarch64, and the journal port on both arches, are virtio serial ports.
        c.module("virtio_console");
        c.text(SHELL, SCRIPT, script(), 0755, "break points: a root shell on the second console until it ends");
        c.text(SHELL, RC, "alias continue=exit\nexport SYSTEMD_PAGER=cat SYSTEMD_COLORS=0\n", 0644,
                "break points: `continue` ends the shell and the boot goes on");
        for (Breakpoint b : Breakpoint.values()) {
            Place p = PLACES.get(b);
            c.text(SHELL, SystemdStage1.UNITS + b.unit(), unit(b, p, arch.secondConsole()), 0644,
                    "break point " + b.id() + " (" + b.kernelArgument() + ")");
            // Nothing is ordered after the failure point's unit: it may stay in every boot.
            if (b == Breakpoint.ON_FAILURE) c.wantedBy(SHELL, p.wantedBy(), b.unit());
        }
        c.text(SHELL, GENERATOR, generator(), 0755, "break points: pulls in the unit rd.harness.break= names, only then");
    }

    /** A systemd generator: for each rd.harness.break=POINT, a wants link from the point's target. */
    static String generator() {
        StringBuilder cases = new StringBuilder();
        for (Breakpoint b : Breakpoint.values()) {
            if (b == Breakpoint.ON_FAILURE) continue;
            String target = PLACES.get(b).wantedBy();
            cases.append("        ").append(b.kernelArgument()).append(") mkdir -p \"$dir/").append(target)
                    .append(".wants\" && ln -sf ").append(SystemdStage1.UNITS).append(b.unit()).append(" \"$dir/")
                    .append(target).append(".wants/\" ;;\n");
        }
        return "#!/bin/sh\n"
                + "# Pulls in the break-point unit each " + Breakpoint.PARAMETER + "= on the kernel command line names.\n"
                + "dir=${1:-/run/systemd/generator}\n"
                + "read -r cmdline </proc/cmdline || exit 0\n"
                + "for arg in $cmdline; do\n"
                + "    case $arg in\n"
                + cases
                + "    esac\n"
                + "done\n";
    }

    static String unit(Breakpoint b, Place p, String port) {
        return "[Unit]\n"
                + "Description=Stage 1 stopped at " + b.id() + ": root shell on /dev/" + port + "\n"
                + "DefaultDependencies=no\n"
                + "ConditionKernelCommandLine=" + b.kernelArgument() + "\n"
                + p.ordering()
                + "\n[Service]\n"
                + "Type=oneshot\n"
                + "RemainAfterExit=yes\n"
                + "ExecStart=/bin/sh " + SCRIPT + " " + b.id() + " " + port + "\n"
                + "StandardInput=null\n"
                + "StandardOutput=journal+console\n"
                + "StandardError=journal+console\n"
                // A person may take as long as they like; the harness has its own deadlines.
                + "TimeoutStartSec=infinity\n";
    }

    static String script() {
        return """
                #!/bin/sh
                # Stage 1 stopped at break point $1: a root shell on /dev/$2 until it ends.
                point=$1
                tty=/dev/$2
                if [ ! -c "$tty" ]; then
                    echo "initrd-harness: no $tty: stage 1 does not stop at $point"
                    exit 0
                fi
                echo "initrd-harness: stage 1 stopped at $point: a root shell on $tty; type continue there to go on"
                echo "initrd-harness: stage 1 stopped at $point: root shell; type continue (or exit) to go on" >"$tty"
                ENV=%s PS1="%s" /bin/sh -i <"$tty" >"$tty" 2>&1
                echo "initrd-harness: stage 1 continues after $point"
                """.formatted(RC, "[$point] # ");
    }
}
