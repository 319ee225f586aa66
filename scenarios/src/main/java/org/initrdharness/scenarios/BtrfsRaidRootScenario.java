package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
 * NixOS's systemd-initrd-btrfs-raid: one btrfs, data and metadata raid1 over two disks, the root
 * in subvolume "root" ({@link StorageLayouts#BTRFS_RAID1}), booted by the harness's stage 1 with
 * {@code {"btrfs": true}} and {@code rootflags=subvol=root}. udev's btrfs ready rule holds the
 * root's device back until both disks are registered; stage 2 checks through mountinfo and
 * /sys/fs/btrfs that its root is that subvolume of a two-device raid1 btrfs.
 */
public class BtrfsRaidRootScenario extends Scenario {
    static final Stage1Options BTRFS = Stage1Options.builder().btrfs(true).build();
    /**
     * The root by one member, as NixOS's test does: btrfs ready keeps it not ready for systemd
     * until the other is registered. Not {@code root=UUID=}: both members carry that link, and
     * when udev moved it from one to the other after sysroot's fsck had started, systemd stopped
     * the units bound to the device and stage 1 stalled at initrd.target without a root.
     */
    static final String ROOT = "root=/dev/disk/by-id/virtio-btra";

    @Test(groups = "nightly")
    public void btrfsRaid1RootInSubvolumeOverBothDisks() throws Exception {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.BTRFS_RAID1, CacheDirectory.root(), Progress.stderr());
        System.out.printf(Locale.ROOT, "%s: %s disks %s in %.1f s%n", release + "/" + arch, d.layout().name(),
                d.built() ? "provisioned" : "from the cache", d.seconds());
        MachineSpec spec = machine("btrfs-raid1").initrd(stage1(BTRFS)).disk(d.disk("btra")).disk(d.disk("btrb"))
                .append(ROOT + " rootflags=subvol=root " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            // mountinfo: the root's subvolume path (field 4) and type (after the " - ").
            ShellResult mount = m.console().shell().run("awk '$5 == \"/\" {for (i = 7; $i != \"-\"; i++); print $4, $(i+1); exit}'"
                    + " /proc/self/mountinfo");
            assertEquals(mount.output().strip(), "/root btrfs", "stage 2's root is subvolume root of a btrfs: " + mount);
            String fs = "/sys/fs/btrfs/" + StorageLayouts.BTRFS_UUID;
            ShellResult sys = m.console().shell().run("ls -1 " + fs + "/devices && ls -1 " + fs + "/allocation/data "
                    + fs + "/allocation/metadata | grep -x raid1");
            assertEquals(sys.exitStatus(), 0, "the kernel knows the file system and its profiles: " + sys);
            List<String> lines = sys.output().strip().lines().map(String::strip).toList();
            assertEquals(lines, List.of("vda", "vdb", "raid1", "raid1"), "both disks, data and metadata raid1: " + sys);
            System.out.printf(Locale.ROOT, "%s: btrfs raid1 root in subvolume root, stage 2 at %.1f s%n", release + "/" + arch,
                    stage2.secondsSinceStart());
        }
    }
}
