package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CRYPTSETUP;
import static org.initrdharness.stage1.Component.FSCK;
import static org.initrdharness.stage1.Component.UDEV;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.initrdharness.initrd.kmod.Stage1Modules;

/** What finds, checks and opens disks: udev with its rules, fsck, cryptsetup with dm-crypt. */
final class BlockDevices {
    private BlockDevices() {}

    /** dm-crypt and the ciphers a LUKS2 aes-xts volume asks the kernel for (xts builds on ecb). */
    static List<String> cryptModules() {
        List<String> m = new ArrayList<>(Stage1Modules.luks());
        m.add("ecb");
        return m;
    }

    static void udev(Stage1Composition.Collector c) {
        c.want(UDEV, "/usr/bin/udevadm", "udevd, trigger, settle");
        c.want(UDEV, "/usr/lib/systemd/systemd-udevd", "the device manager");
        c.want(UDEV, "/usr/bin/kmod", "modprobe for the kernel's module requests");
        c.want(UDEV, "/usr/sbin/modprobe", "the kernel calls /sbin/modprobe (fs-ext4, crypto-xts)");
        c.units(UDEV, "udev", "systemd-udevd.service", "systemd-udevd-control.socket", "systemd-udevd-kernel.socket",
                "systemd-udev-trigger.service", "systemd-udev-settle.service", "initrd-udevadm-cleanup-db.service");
        c.wantedBy(UDEV, "sysinit.target", "systemd-udevd.service");
        c.wantedBy(UDEV, "sysinit.target", "systemd-udev-trigger.service");
        c.wantedBy(UDEV, "sockets.target", "systemd-udevd-control.socket");
        c.wantedBy(UDEV, "sockets.target", "systemd-udevd-kernel.socket");
        for (String rule : List.of("50-udev-default.rules", "60-block.rules", "60-persistent-storage.rules",
                "80-drivers.rules", "99-systemd.rules")) {
            c.want(UDEV, "/usr/lib/udev/rules.d/" + rule, "udev rule: device names, by-label/by-uuid, module autoload, systemd tags");
        }
        c.text(UDEV, SystemdStage1.ETC_UNITS + "systemd-udev-trigger.service.d/stage1-coldplug.conf", COLDPLUG, 0644,
                "coldplug of the devices stage 1 acts on; stage 2's coldplug replays every device");
    }

    /**
     * Subsystems whose devices stage 1 never acts on: none carries a module alias, and no rule of
     * the initrd's names or tags them. Coldplug of everything (upstream's {@code --type=all}) sent
     * 425 events on the x86_64 guest, 203 of them for bus, driver and module objects and 67 for
     * terminals, and udev's handling of them was the biggest share of stage 1's CPU under TCG.
     * ACPI nodes stay: a PNP device's driver (a modular tpm_tis, say) is loaded by the alias of
     * its ACPI node.
     */
    static final List<String> COLDPLUG_SKIPPED = List.of("bdi", "clockevents", "clocksource", "container",
            "edac", "event_source", "machinecheck", "mem", "memory", "memory_tiering", "node", "regulator", "thermal",
            "tty", "vc", "vtconsole", "wakeup", "workqueue");

    /**
     * Two triggers in place of upstream's one: every device but those of
     * {@link #COLDPLUG_SKIPPED}, then the consoles (device units for serial and hypervisor
     * consoles) and the block module, whose add event sets the media-change polling interval
     * (60-block.rules).
     */
    static final String COLDPLUG = "[Service]\n"
            + "ExecStart=\n"
            + "ExecStart=-udevadm trigger --type=devices --action=add --prioritized-subsystem=block,tpmrm,net,input"
            + COLDPLUG_SKIPPED.stream().map(s -> " --subsystem-nomatch=" + s).collect(Collectors.joining())
            + "\n"
            + "ExecStart=-udevadm trigger --type=all --action=add --subsystem-match=tty --subsystem-match=module"
            + " --sysname-match=ttyS* --sysname-match=ttyAMA* --sysname-match=hvc* --sysname-match=console"
            + " --sysname-match=block\n";

    static void fsck(Stage1Composition.Collector c) {
        c.want(FSCK, "/usr/lib/systemd/systemd-fsck", "checks /sysroot before mounting it");
        c.want(FSCK, "/usr/sbin/fsck", "systemd-fsck runs fsck");
        c.want(FSCK, "/usr/sbin/fsck.ext4", "fsck runs fsck.<type>");
        c.want(FSCK, "/usr/sbin/e2fsck", "the ext2/3/4 checker");
        c.unit(FSCK, "systemd-fsck@.service", "the root file system check");
    }

    static void cryptsetup(Stage1Composition.Collector c) {
        c.want(CRYPTSETUP, "/usr/lib/systemd/systemd-cryptsetup", "opens LUKS volumes");
        c.dlopen(CRYPTSETUP, "cryptsetup", "systemd-cryptsetup opens volumes with libcryptsetup");
        c.want(CRYPTSETUP, "/usr/lib/systemd/system-generators/systemd-cryptsetup-generator",
                "rd.luks.* and /etc/crypttab to systemd-cryptsetup@ units");
        c.want(CRYPTSETUP, "/usr/sbin/dmsetup", "udev's device-mapper rules call dmsetup");
        c.units(CRYPTSETUP, "cryptsetup", "cryptsetup.target", "cryptsetup-pre.target", "remote-cryptsetup.target",
                "system-systemd\\x2dcryptsetup.slice");
        c.wantedBy(CRYPTSETUP, "sysinit.target", "cryptsetup.target");
        for (String rule : List.of("55-dm.rules", "60-persistent-storage-dm.rules", "95-dm-notify.rules")) {
            c.want(CRYPTSETUP, "/usr/lib/udev/rules.d/" + rule, "udev rule: device-mapper names and udev sync");
        }
        cryptModules().forEach(c::module);
    }
}
