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
 * Storage layers stacked under the root, each brought up by its own part of stage 1 as the one
 * below appears: LUKS on LVM ({@link StorageLayouts#LUKS_ON_LVM}) and dracut's TEST-26 RAID1 +
 * LUKS + LVM ({@link StorageLayouts#RAID1_LUKS_LVM}). Stage 2 walks its root's device down
 * through /sys, layer by layer, to the disks.
 */
public class StackedStorageScenario extends Scenario {

    /**
     * LUKS on LVM (dracut's TEST-20 layout): event activation brings up the LV first, udev finds
     * the LUKS header inside it, and the passphrase typed at plymouth's prompt opens it. Stage 2's
     * root is the crypt mapping, and its only slave is the LV on the one disk.
     */
    @Test(groups = "nightly")
    public void luksOnLvmActivatesTheGroupThenOpensTheVolumeInTheLv() throws Exception {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.LUKS_ON_LVM, CacheDirectory.root(), Progress.stderr());
        MachineSpec spec = machine("luks-on-lvm").initrd(stage1(Stage1Options.builder().lvm(true).build()))
                .disk(d.disk("lvmpv"))
                .append("rd.luks.uuid=" + StorageLayouts.LUKS_ON_LVM_UUID + " root=LABEL=luksonlvm " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            double prompt = m.console().waitFor(LuksPassphraseScenario.ANY_PROMPT, Duration.ofSeconds(150)).seconds();
            m.console().sendSecretLine(images().luksPassphrase());
            Stage2Report stage2 = awaitStage2(m);
            ShellResult dm = RootWalk.inStage2Shell(m,
                    "cat $d/dm/name $d/dm/uuid && for s in $d/slaves/*; do cat $s/dm/name $s/dm/uuid; ls -1 $s/slaves; done");
            assertEquals(dm.exitStatus(), 0, "stage 2's root is a device-mapper device over another: " + dm);
            List<String> lines = RootWalk.lines(dm);
            assertEquals(lines.size(), 5, "one crypt mapping on one LV on one disk: " + dm);
            assertEquals(lines.get(0), "luks-" + StorageLayouts.LUKS_ON_LVM_UUID, "the root is the opened LUKS volume: " + dm);
            assertTrue(lines.get(1).startsWith("CRYPT-LUKS2-"), "a LUKS2 mapping: " + dm);
            assertEquals(lines.get(2), "vgcrypt-cryptroot", "the LUKS volume lies on LV vgcrypt/cryptroot: " + dm);
            assertTrue(lines.get(3).startsWith("LVM-"), "an LVM mapping under it: " + dm);
            assertEquals(lines.get(4), "vda", "the LV lies on the disk: " + dm);
            System.out.printf(Locale.ROOT, "%s: LUKS on LVM, prompt at %.1f s, stage 2 at %.1f s%n", release + "/" + arch,
                    prompt, stage2.secondsSinceStart());
        }
    }

    /**
     * dracut's TEST-26 stack: udev assembles the RAID1, systemd-cryptsetup asks for the LUKS
     * passphrase on the array (typed at plymouth's prompt), 69-lvm activates the group inside.
     * Stage 2 walks its root down through /sys: the LV, the crypt mapping under it, the array
     * under that, and the two disks under the array.
     */
    @Test(groups = "nightly")
    public void raid1LuksLvmStackComesUpLayerByLayer() throws Exception {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.RAID1_LUKS_LVM, CacheDirectory.root(), Progress.stderr());
        Stage1Options options = Stage1Options.builder().mdraid(true).lvm(true).build();
        MachineSpec spec = machine("raid1-luks-lvm").initrd(stage1(options)).disk(d.disk("stka")).disk(d.disk("stkb"))
                .append("rd.luks.uuid=" + StorageLayouts.STACK_LUKS_UUID + " root=/dev/vgstack/root " + Stage2.SHELL_SWITCH)
                .build();
        try (Machine m = start(spec)) {
            double prompt = m.console().waitFor(LuksPassphraseScenario.ANY_PROMPT, Duration.ofSeconds(150)).seconds();
            m.console().sendSecretLine(images().luksPassphrase());
            Stage2Report stage2 = awaitStage2(m);
            ShellResult chain = RootWalk.inStage2Shell(m,
                    "cat $d/dm/name && c=$(echo $d/slaves/*) && cat $c/dm/uuid && a=$(echo $c/slaves/*)"
                            + " && basename $a && cat $a/md/level && ls -1 $a/slaves");
            assertEquals(chain.exitStatus(), 0, "stage 2's root is an LV over a crypt mapping over an array: " + chain);
            List<String> lines = RootWalk.lines(chain);
            assertEquals(lines.size(), 6, chain.toString());
            assertEquals(lines.get(0), "vgstack-root", "the root is vgstack/root: " + chain);
            assertTrue(lines.get(1).startsWith("CRYPT-LUKS2-" + StorageLayouts.STACK_LUKS_UUID.replace("-", "")),
                    "the LV lies on the LUKS volume: " + chain);
            assertTrue(lines.get(2).startsWith("md"), "the LUKS volume lies on an md array: " + chain);
            assertEquals(lines.subList(3, 6), List.of("raid1", "vda", "vdb"), "a RAID1 over both disks: " + chain);
            System.out.printf(Locale.ROOT, "%s: raid1+luks+lvm, prompt at %.1f s, stage 2 at %.1f s%n", release + "/" + arch,
                    prompt, stage2.secondsSinceStart());
        }
    }

}
