package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.Progress;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.images.storage.Provisioner;
import org.initrdharness.images.storage.StorageDisks;
import org.initrdharness.images.storage.StorageLayouts;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/**
 * Root on an md RAID1 mirror over two disks, made by mdadm in a provisioning guest
 * ({@link StorageLayouts#RAID1_TWO_DISKS}), booted by the harness's stage 1 with
 * {@code {"mdraid": true}}: udev runs {@code mdadm --incremental} on each member and the array
 * starts when both are there; with one left out, mdadm's last-resort timer starts it degraded.
 * Stage 2 checks through /sys and /proc/mdstat that its root is that array and how many mirrors
 * it has.
 */
public class MdRaidRootScenario extends Scenario {
    static final Stage1Options MDRAID = Stage1Options.builder().mdraid(true).build();
    /** The root by the array's UUID, the link 63-md-raid-arrays.rules makes. */
    /** systemd's status line for the timer 64-md-raid-assembly.rules pulled in (the rest is cut to the width). */
    static final Pattern TIMER_STARTED = Pattern.compile("Started mdadm-last-resort@");
    /** The kernel's line when {@code mdadm --run} starts the mirror on one disk. */
    static final Pattern RUNS_DEGRADED = Pattern.compile("md/raid1:md\\d+: active with 1 out of 2 mirrors");
    static final String ROOT_BY_MD_UUID = "root=/dev/disk/by-id/md-uuid-" + StorageLayouts.RAID1_UUID;

    private StorageDisks disks() {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.RAID1_TWO_DISKS, CacheDirectory.root(), Progress.stderr());
        System.out.printf(Locale.ROOT, "%s: %s disks %s in %.1f s%n", release + "/" + arch, d.layout().name(),
                d.built() ? "provisioned" : "from the cache", d.seconds());
        return d;
    }

    @Test(groups = "nightly")
    public void raid1RootByArrayUuidHasBothMirrors() throws Exception {
        StorageDisks d = disks();
        MachineSpec spec = machine("raid1").initrd(stage1(MDRAID)).disk(d.disk("mda")).disk(d.disk("mdb"))
                .append(ROOT_BY_MD_UUID + " " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            RootArray root = rootArray(m);
            assertEquals(root.slaves(), List.of("vda", "vdb"), "the mirror has both disks: " + root);
            assertEquals(root.degraded(), "0", "no mirror is missing: " + root);
            assertTrue(root.mdstat().contains("[2/2] [UU]"), "/proc/mdstat shows both mirrors up: " + root);
            System.out.printf(Locale.ROOT, "%s: raid1 root %s, stage 2 at %.1f s%n", release + "/" + arch, root.name(),
                    stage2.secondsSinceStart());
        }
    }

    /**
     * One disk left out: the array stays inactive (not ready for systemd) while stage 1 waits for
     * the other member; after mdadm-last-resort@'s 30 s it is started degraded, sysroot.mount
     * finds the file system on it, and stage 2's /proc/mdstat shows one mirror of two, [U_]. The
     * console shows the order: the timer starts, and the kernel runs the mirror on one disk later.
     */
    @Test(groups = "nightly")
    public void degradedRaid1StartsAfterTheLastResortTimer() throws Exception {
        StorageDisks d = disks();
        MachineSpec spec = machine("raid1-degraded").initrd(stage1(MDRAID)).disk(d.disk("mda"))
                .append("root=UUID=" + StorageLayouts.RAID1_TWO_DISKS.root().uuid() + " " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            double timer = m.console().waitFor(TIMER_STARTED, Duration.ofSeconds(150)).seconds();
            double degraded = m.console().waitFor(RUNS_DEGRADED, Duration.ofSeconds(120)).seconds();
            Stage2Report stage2 = awaitStage2(m);
            RootArray root = rootArray(m);
            assertEquals(root.slaves(), List.of("vda"), "the mirror runs on the one disk there is: " + root);
            assertEquals(root.degraded(), "1", "md counts one mirror missing: " + root);
            assertTrue(root.mdstat().contains("[2/1] [U_]"), "/proc/mdstat shows the array degraded: " + root);
            System.out.printf(Locale.ROOT, "%s: degraded raid1 root %s, last-resort timer at %.1f s, array run degraded at"
                    + " %.1f s, stage 2 at %.1f s%n", release + "/" + arch, root.name(), timer, degraded, stage2.secondsSinceStart());
        }
    }

    /**
     * What stage 2 sees of its root: the block device's name, md's level, degraded count and
     * members from /sys, and the array's lines in /proc/mdstat.
     */
    record RootArray(String name, String level, String degraded, List<String> slaves, String mdstat) {}

    static RootArray rootArray(Machine m) {
        ShellResult sys = RootWalk.inStage2Shell(m,
                "basename $(readlink -f $d) && cat $d/md/level $d/md/degraded && ls -1 $d/slaves");
        assertEquals(sys.exitStatus(), 0, "stage 2's root is an md array: " + sys);
        List<String> lines = RootWalk.lines(sys);
        assertTrue(lines.size() >= 3, sys.toString());
        ShellResult mdstat = m.console().shell().run("cat /proc/mdstat");
        RootArray a = new RootArray(lines.get(0), lines.get(1), lines.get(2), lines.subList(3, lines.size()),
                mdstat.output().strip());
        assertTrue(a.name().startsWith("md"), "the root is an md device: " + a);
        assertEquals(a.level(), "raid1", "the root is the RAID1 array: " + a);
        assertTrue(a.mdstat().contains(a.name() + " : active raid1"), "/proc/mdstat lists the root's array active: " + a);
        return a;
    }
}
