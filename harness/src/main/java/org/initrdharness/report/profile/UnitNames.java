package org.initrdharness.report.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the cut text of a status line back into a unit name, from the names known: those PID 1
 * logged in full on this boot, the initrd's unit files where the caller knows them, and the
 * units systemd ships for stage 1. A text that fits none, or more than one, is named by what
 * precedes the cut ("harness-sysroot.s…"), the same on every boot, so it still lines up across runs.
 */
final class UnitNames {
    /** systemd's own stage-1 units (systemd 252 and later; dracut's and ours use them). */
    static final List<String> STOCK = List.of(
            "basic.target", "cryptsetup-pre.target", "cryptsetup.target", "emergency.service", "emergency.target",
            "initrd-cleanup.service", "initrd-fs.target", "initrd-parse-etc.service", "initrd-root-device.target",
            "initrd-root-fs.target", "initrd-switch-root.service", "initrd-switch-root.target", "initrd-usr-fs.target",
            "initrd-udevadm-cleanup-db.service", "initrd.target", "kmod-static-nodes.service", "local-fs-pre.target",
            "local-fs.target", "network-pre.target", "network.target", "paths.target", "plymouth-start.service",
            "plymouth-switch-root.service", "plymouth-quit.service", "rescue.target", "slices.target", "sockets.target",
            "swap.target", "sysinit.target", "sysroot.mount", "systemd-ask-password-console.path",
            "systemd-ask-password-plymouth.path", "systemd-fsck-root.service", "systemd-journald-audit.socket",
            "systemd-journald-dev-log.socket", "systemd-journald.service", "systemd-journald.socket",
            "systemd-modules-load.service", "systemd-network-generator.service", "systemd-networkd.service",
            "systemd-networkd.socket", "systemd-sysctl.service", "systemd-tmpfiles-setup-dev.service",
            "systemd-tmpfiles-setup.service", "systemd-udev-settle.service", "systemd-udev-trigger.service",
            "systemd-udevd-control.socket", "systemd-udevd-kernel.socket", "systemd-udevd.service",
            "systemd-vconsole-setup.service", "timers.target", "dracut-cmdline.service", "dracut-initqueue.service",
            "dracut-mount.service", "dracut-pre-mount.service", "dracut-pre-pivot.service", "dracut-pre-trigger.service",
            "dracut-pre-udev.service", "dracut-shutdown.service");

    /**
     * systemd's descriptions of its stage-1 units, which tell apart names that a cut leaves
     * alike ("initrd-root…get - Initrd Root File System").
     */
    static final List<String> STOCK_TEXTS = List.of(
            "initrd-root-device.target - Initrd Root Device", "initrd-root-fs.target - Initrd Root File System",
            "initrd-usr-fs.target - Initrd /usr File System", "initrd-fs.target - Initrd File Systems",
            "initrd.target - Initrd Default Target", "initrd-switch-root.target - Switch Root",
            "initrd-switch-root.service - Switch Root", "initrd-parse-etc.service - Mountpoints Configured in the Real Root",
            "initrd-cleanup.service - Cleaning Up and Shutting Down Daemons",
            "initrd-udevadm-cleanup-db.service - Cleanup udev Database",
            "systemd-ask-password-plymouth.path - Forward Password Requests to Plymouth Directory Watch",
            "systemd-ask-password-console.path - Dispatch Password Requests to Console Directory Watch",
            "plymouth-start.service - Show Plymouth Boot Screen", "plymouth-switch-root.service - Plymouth switch root service",
            "systemd-journald.service - Journal Service", "systemd-journald.socket - Journal Socket",
            "systemd-journald-dev-log.socket - Journal Socket (/dev/log)", "systemd-journald-audit.socket - Journal Audit Socket",
            "systemd-udevd.service - Rule-based Manager for Device Events and Files",
            "systemd-udevd-control.socket - udev Control Socket", "systemd-udevd-kernel.socket - udev Kernel Socket",
            "systemd-udev-trigger.service - Coldplug All udev Devices", "systemd-modules-load.service - Load Kernel Modules",
            "cryptsetup.target - Local Encrypted Volumes", "cryptsetup-pre.target - Local Encrypted Volumes (Pre)",
            "local-fs.target - Local File Systems", "local-fs-pre.target - Preparation for Local File Systems",
            "sysinit.target - System Initialization", "basic.target - Basic System", "sockets.target - Socket Units",
            "paths.target - Path Units", "slices.target - Slice Units", "swap.target - Swaps", "timers.target - Timer Units",
            "emergency.target - Emergency Mode", "emergency.service - Emergency Shell",
            "systemd-networkd.service - Network Configuration", "network.target - Network",
            "systemd-tmpfiles-setup-dev.service - Create Static Device Nodes in /dev",
            "systemd-tmpfiles-setup.service - Create Volatile Files and Directories",
            "systemd-sysctl.service - Apply Kernel Variables", "kmod-static-nodes.service - Create List of Static Device Nodes");

    private final Set<String> fullTexts = new LinkedHashSet<>(STOCK_TEXTS);
    private final Set<String> names = new LinkedHashSet<>();

    UnitNames(Collection<String> extraNames) {
        names.addAll(extraNames);
        names.addAll(STOCK);
    }

    /** Learns a name (and its "name - description" text) from an uncut line. */
    void learn(StatusLine line) {
        if (!line.full()) return;
        fullTexts.add(line.text());
        names.add(line.name());
    }

    /** The unit a status line names: its own name when uncut, else the one known name it fits. */
    String resolve(StatusLine line, boolean target) {
        if (line.full()) return line.name();
        String head = line.head();
        String tail = line.tail();
        // A full "name - description" seen earlier (PID 1's kmsg line) settles it.
        List<String> texts = new ArrayList<>();
        for (String t : fullTexts) if (t.startsWith(head) && t.endsWith(tail)) texts.add(t);
        if (texts.size() == 1) {
            String t = texts.get(0);
            int d = t.indexOf(" - ");
            return d < 0 ? t : t.substring(0, d);
        }
        int dash = tail.indexOf(" - ");
        String nameTail = dash >= 0 ? tail.substring(0, dash) : "";
        boolean headIsName = !head.contains(" - ");
        List<String> fits = new ArrayList<>();
        for (String n : names) {
            if (target && !n.endsWith(".target")) continue;
            if (headIsName && n.startsWith(head) && n.endsWith(nameTail) && n.length() >= head.length() + nameTail.length()) {
                fits.add(n);
            }
        }
        if (fits.size() == 1) return fits.get(0);
        // Keyed by what precedes the cut, so that a unit's start and ready lines, cut at
        // different places, still meet.
        return (headIsName ? head : line.text()) + "…";
    }
}
