package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.BTRFS;

/**
 * btrfs the way systemd initrds bring it up: 64-btrfs.rules runs udev's {@code btrfs ready}
 * builtin on each btrfs device, which registers it with the kernel (as {@code btrfs device scan}
 * would) and keeps the device not ready for systemd until every device of its file system is
 * there; the last one re-triggers the others. So a multi-device root's device unit appears only
 * when the file system can mount. {@code rootflags=subvol=NAME} needs nothing here:
 * systemd-fstab-generator passes it to sysroot.mount.
 */
final class Btrfs {
    private Btrfs() {}

    static void compose(Stage1Composition.Collector c) {
        c.want(BTRFS, "/usr/lib/udev/rules.d/64-btrfs.rules",
                "udev rule: btrfs ready, so that a multi-device file system mounts once all its devices are there");
        c.wantIfPresent(BTRFS, "/usr/lib/udev/rules.d/64-btrfs-dm.rules", "udev rule: the same for btrfs on device-mapper");
        // The builtin talks to /dev/btrfs-control, which the module makes; without it the builtin
        // calls every device not ready and nothing asks again. Coldplug would load virtio_blk by
        // modalias while modules-load is still loading btrfs: it waits, and modules-load loads
        // btrfs before the disk modules (this part runs before KernelModules lists them).
        c.module("btrfs");
        c.text(BTRFS, SystemdStage1.ETC_UNITS + "systemd-udev-trigger.service.d/btrfs.conf",
                "[Unit]\nAfter=systemd-modules-load.service\n", 0644,
                "coldplug after btrfs is loaded, so that btrfs ready sees /dev/btrfs-control");
    }
}
