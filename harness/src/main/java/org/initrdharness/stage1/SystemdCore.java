package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SYSTEMD;

import static org.initrdharness.stage1.SystemdStage1.UNITS;

/**
 * The service manager itself: systemd, journald, systemctl, modules-load, the shells' helpers,
 * the generators, and the initrd, early-boot, emergency and shutdown units.
 */
final class SystemdCore {
    private SystemdCore() {}

    static void compose(Stage1Composition.Collector c) {
        String b = "/usr/lib/systemd/";
        c.want(SYSTEMD, b + "systemd", "the service manager, run as /init");
        // From systemd 255 the manager starts no unit without it (and refuses to start at all).
        c.wantIfPresent(SYSTEMD, b + "systemd-executor", "runs each unit's processes (systemd 255 and later)");
        // From systemd 256 libkmod is dlopen()ed: without it no module is loaded by name.
        c.dlopen(SYSTEMD, "kmod", "modules-load.d, modprobe@ and udev's driver autoload load modules with libkmod");
        c.want(SYSTEMD, "/usr/bin/systemctl", "switch-root, isolate, daemon-reload in initrd units");
        c.want(SYSTEMD, b + "systemd-journald", "the journal: logs of the boot");
        c.want(SYSTEMD, b + "systemd-modules-load", "loads modules-load.d");
        c.want(SYSTEMD, b + "systemd-sulogin-shell", "emergency and rescue shells");
        c.want(SYSTEMD, b + "systemd-shutdown", "poweroff and reboot from the initrd");
        c.want(SYSTEMD, "/usr/bin/systemd-tty-ask-password-agent", "console password agent");
        c.want(SYSTEMD, "/usr/bin/journalctl", "reading the journal from the emergency shell");
        c.want(SYSTEMD, b + "system-generators/systemd-fstab-generator", "root= and /etc/fstab to sysroot.mount");
        c.want(SYSTEMD, b + "system-generators/systemd-debug-generator", "rd.systemd.mask=, rd.systemd.wants=");
        c.want(SYSTEMD, "/usr/bin/mount", "mount units");
        c.want(SYSTEMD, "/usr/bin/umount", "mount units");
        c.want(SYSTEMD, "/usr/sbin/sulogin", "emergency and rescue shells");

        c.units(SYSTEMD, "the initrd's targets and services",
                "initrd.target", "initrd-root-device.target", "initrd-root-fs.target", "initrd-fs.target",
                "initrd-usr-fs.target", "initrd-parse-etc.service", "initrd-cleanup.service",
                "initrd-switch-root.target", "initrd-switch-root.service");
        c.units(SYSTEMD, "early boot targets",
                "sysinit.target", "basic.target", "local-fs.target", "local-fs-pre.target", "swap.target",
                "slices.target", "sockets.target", "paths.target", "timers.target",
                "remote-fs.target", "remote-fs-pre.target", "network.target", "network-pre.target",
                "network-online.target", "blockdev@.target");
        c.units(SYSTEMD, "emergency, rescue and shutdown",
                "emergency.target", "emergency.service", "rescue.target", "rescue.service",
                "shutdown.target", "umount.target", "final.target", "reboot.target", "poweroff.target",
                "halt.target", "systemd-reboot.service", "systemd-poweroff.service", "systemd-halt.service");
        c.link(SYSTEMD, UNITS + "ctrl-alt-del.target", "reboot.target", "unit: Ctrl-Alt-Del reboots");
        c.link(SYSTEMD, UNITS + "default.target", "initrd.target", "unit: the initrd boots to initrd.target");
        c.units(SYSTEMD, "journald", "systemd-journald.service", "systemd-journald.socket",
                "systemd-journald-dev-log.socket", "systemd-journald-audit.socket");
        c.units(SYSTEMD, "modules-load.d", "systemd-modules-load.service", "modprobe@.service");
        c.units(SYSTEMD, "console password agent",
                "systemd-ask-password-console.path", "systemd-ask-password-console.service");
        c.wantedBy(SYSTEMD, "sysinit.target", "systemd-journald.service");
        c.wantedBy(SYSTEMD, "sysinit.target", "systemd-modules-load.service");
        c.wantedBy(SYSTEMD, "sysinit.target", "systemd-ask-password-console.path");
        c.wantedBy(SYSTEMD, "sockets.target", "systemd-journald.socket");
        c.wantedBy(SYSTEMD, "sockets.target", "systemd-journald-dev-log.socket");
    }
}
