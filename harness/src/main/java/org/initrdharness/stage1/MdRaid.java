package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.MDRAID;

/**
 * md software RAID the way systemd initrds bring it up: mdadm's 64-md-raid-assembly rule runs
 * {@code mdadm --incremental} on each member as udev sees it, which starts an array once all its
 * members are there. A member of an array that is still short of disks makes the rule pull in
 * {@code mdadm-last-resort@mdN.timer}; if the missing members do not come within its 30 s, the
 * service runs {@code mdadm --run} and the array starts degraded. 63-md-raid-arrays marks an
 * inactive array not ready for systemd and names a started one (md/NAME, by-id/md-uuid-*,
 * by-uuid, by-label). An {@code /etc/mdadm/mdadm.conf} (AUTO, ARRAY, HOMEHOST lines) is taken
 * when option {@code files} gives one; without it mdadm assembles every array it finds.
 */
final class MdRaid {
    private MdRaid() {}

    static void compose(Stage1Composition.Collector c) {
        c.want(MDRAID, "/usr/sbin/mdadm", "incremental assembly, run by 64-md-raid-assembly.rules");
        for (String rule : java.util.List.of("63-md-raid-arrays.rules", "64-md-raid-assembly.rules")) {
            c.want(MDRAID, "/usr/lib/udev/rules.d/" + rule,
                    "udev rule: incremental assembly, the degraded-array timer, md/NAME and by-uuid names");
        }
        c.units(MDRAID, "start an array degraded when its members do not all come", "mdadm-last-resort@.timer",
                "mdadm-last-resort@.service");
        // The personalities are loaded on demand too; loading them early saves a modprobe per array.
        for (String m : java.util.List.of("md_mod", "raid0", "raid1", "raid10")) c.module(m);
    }
}
