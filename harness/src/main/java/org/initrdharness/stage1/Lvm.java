package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.LVM;

/**
 * lvm2 the way systemd initrds bring it up: udev's 69-lvm rule runs {@code pvscan --cache} on
 * each physical volume as it appears and, once a volume group is complete, starts
 * {@code lvm vgchange -aay --autoactivation event VG} as a transient unit through
 * {@code systemd-run}. lvm2 2.03.14 and later (bookworm's 2.03.16, trixie's) activate only this
 * way and no longer ship lvm2-activation-generator; older sysroots that still have it get it
 * (it does nothing while lvm.conf leaves event activation on). The device-mapper rules name the
 * LVs (/dev/VG/LV through 56-lvm, by-label through 60-persistent-storage-dm) and let
 * {@code vgchange} wait for udev.
 */
final class Lvm {
    private Lvm() {}

    static void compose(Stage1Composition.Collector c) {
        c.want(LVM, "/usr/sbin/lvm", "pvscan and vgchange, run by 69-lvm.rules");
        c.want(LVM, "/usr/bin/systemd-run", "69-lvm.rules activates a complete volume group as a transient unit");
        c.want(LVM, "/usr/sbin/dmsetup", "the device-mapper rules call dmsetup (splitname, udevcomplete)");
        for (String rule : java.util.List.of("55-dm.rules", "56-lvm.rules", "60-persistent-storage-dm.rules",
                "69-lvm.rules", "95-dm-notify.rules")) {
            c.want(LVM, "/usr/lib/udev/rules.d/" + rule,
                    "udev rule: LVM event activation, /dev/VG/LV and by-label names, udev sync for vgchange");
        }
        c.wantIfPresent(LVM, "/usr/lib/systemd/system-generators/lvm2-activation-generator",
                "activation at boot where lvm2 predates event activation (2.03.13 and older)");
        c.module("dm_mod");
    }
}
