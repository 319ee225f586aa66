package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
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
import org.initrdharness.stage1.EmergencyAccess;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/**
 * Root on a logical volume of a volume group spanning two disks, made by lvm2 in a provisioning
 * guest ({@link StorageLayouts#LVM_TWO_DISKS}), booted by the harness's stage 1 with
 * {@code {"lvm": true}}: udev's 69-lvm rule sees both physical volumes, the group is activated
 * by event, and sysroot.mount finds /dev/vg/root. Stage 2 checks through /sys that its root is
 * that device-mapper device, an LVM volume over both disks.
 */
public class LvmRootScenario extends Scenario {
    static final Stage1Options LVM = Stage1Options.builder().lvm(true).build();

    private StorageDisks disks() {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.LVM_TWO_DISKS, CacheDirectory.root(), Progress.stderr());
        System.out.printf(Locale.ROOT, "%s: %s disks %s in %.1f s%n", release + "/" + arch, d.layout().name(),
                d.built() ? "provisioned" : "from the cache", d.seconds());
        return d;
    }

    @Test(groups = "nightly")
    public void rootByDevicePathIsTheLogicalVolumeOverBothDisks() throws IOException {
        bootsOnTheLogicalVolume("by-path", "root=/dev/vg/root");
    }

    @Test(groups = "nightly")
    public void rootByLabelIsTheLogicalVolumeOverBothDisks() throws IOException {
        bootsOnTheLogicalVolume("by-label", "root=LABEL=" + StorageLayouts.LVM_ROOT_LABEL);
    }

    private void bootsOnTheLogicalVolume(String name, String root) throws IOException {
        StorageDisks d = disks();
        MachineSpec spec = machine(name).initrd(stage1(LVM)).disk(d.disk("pv0")).disk(d.disk("pv1"))
                .append(root + " " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            assertRootIsTheLogicalVolume(m, List.of("vda", "vdb"));
            System.out.printf(Locale.ROOT, "%s: %s on vg/root, stage 2 at %.1f s%n", release + "/" + arch, root,
                    stage2.secondsSinceStart());
        }
    }

    /**
     * With one of the two disks left out the group stays incomplete: udev's pvscan says so in the
     * journal, naming the group, nothing activates it, and after the device timeout stage 1 is
     * in emergency mode. Hot-plugging the disk over QMP completes the group, event activation
     * brings up /dev/vg/root, and {@code systemctl default} goes on to stage 2 on the LV.
     */
    @Test(groups = "nightly")
    public void missingPhysicalVolumeEndsInEmergencyNamingTheGroupAndHotplugRecovers() throws IOException {
        StorageDisks d = disks();
        // 20 s: under TCG on a loaded host udevd may take 10 s to start and see the disk at all.
        Stage1Options options = LVM.toBuilder().emergencyAccess(EmergencyAccess.OPEN).deviceTimeoutSec(20).build();
        MachineSpec spec = machine("missing-pv").initrd(stage1(options)).disk(d.disk("pv0"))
                .append("root=/dev/vg/root " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            double shell = EmergencyShellScenario.openEmergencyShell(m).seconds();
            // udev's pvscan may still be on its way when a slow coldplug outlasts the timeout: give it 60 s.
            ShellResult journal = m.console().shell().run("(i=0; until journalctl -b -o cat --no-pager | grep -F 'VG vg incomplete';"
                    + " do [ $i -ge 60 ] && exit 1; sleep 1; i=$((i+1)); done)", Duration.ofSeconds(90));
            assertEquals(journal.exitStatus(), 0, "the journal names the incomplete volume group: " + journal);
            assertTrue(journal.output().contains("PV /dev/vda online, VG vg incomplete (need 1)"), journal.toString());
            ShellResult lv = m.console().shell().run("test -e /dev/vg/root");
            assertEquals(lv.exitStatus(), 1, "no LV of the incomplete group was activated: " + lv);

            m.hotplug(d.disk("pv1"));
            ShellResult seen = m.console().shell().run("i=0; while [ ! -e /dev/vg/root ] && [ $i -lt 60 ]; do sleep 1;"
                    + " i=$((i+1)); done; readlink -f /dev/vg/root", Duration.ofSeconds(90));
            assertTrue(seen.output().strip().startsWith("/dev/dm-"), "the completed group's LV came up: " + seen);
            m.console().failOn(org.initrdharness.vm.console.FailurePattern.EMERGENCY_MODE);
            m.console().sendLine("systemctl default");
            Stage2Report stage2 = awaitStage2(m);
            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            assertRootIsTheLogicalVolume(m, List.of("vda", "vdb"));
            System.out.printf(Locale.ROOT, "%s: emergency with vg incomplete at %.1f s, stage 2 after hot-plug at %.1f s%n",
                    release + "/" + arch, shell, stage2.secondsSinceStart());
        }
    }

    /**
     * LVM on LUKS (dracut's and NixOS's layout): one passphrase, typed at plymouth's prompt on
     * the serial console, opens the LUKS2 volume; udev's 69-lvm rule sees the physical volume
     * inside it and activates the group. Stage 2's root is the LV, and the LV's only slave is
     * the crypt mapping.
     */
    @Test(groups = "nightly")
    public void lvmOnLuksOpensWithOnePassphraseThenActivatesTheGroup() throws IOException {
        StorageDisks d = Provisioner.ensure(images(), StorageLayouts.LVM_ON_LUKS, CacheDirectory.root(), Progress.stderr());
        MachineSpec spec = machine("lvm-on-luks").initrd(stage1(LVM)).disk(d.disk("lukspv"))
                .append("rd.luks.uuid=" + StorageLayouts.LUKS_UUID + " root=/dev/vgluks/root " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            double prompt = m.console().waitFor(LuksPassphraseScenario.ANY_PROMPT, Duration.ofSeconds(150)).seconds();
            m.console().sendSecretLine(images().luksPassphrase());
            Stage2Report stage2 = awaitStage2(m);
            ShellResult dm = RootWalk.inStage2Shell(m, "cat $d/dm/name && for s in $d/slaves/*; do cat $s/dm/uuid; done");
            assertEquals(dm.exitStatus(), 0, "stage 2's root is a device-mapper device: " + dm);
            List<String> lines = RootWalk.lines(dm);
            assertEquals(lines.size(), 2, "one LV on one slave: " + dm);
            assertEquals(lines.get(0), "vgluks-root", "the root is vgluks/root: " + dm);
            assertEquals(lines.get(1), "CRYPT-LUKS2-" + StorageLayouts.LUKS_UUID.replace("-", "") + "-luks-"
                    + StorageLayouts.LUKS_UUID, "the LV lies on the LUKS volume stage 1 opened: " + dm);
            System.out.printf(Locale.ROOT, "%s: LVM on LUKS, prompt at %.1f s, stage 2 at %.1f s%n", release + "/" + arch,
                    prompt, stage2.secondsSinceStart());
        }
    }

    /** The root's device, read from /sys in stage 2: dm name, LVM's dm uuid prefix and the disks under it. */
    static void assertRootIsTheLogicalVolume(Machine m, List<String> disks) {
        ShellResult dm = RootWalk.run(m, "cat $d/dm/name $d/dm/uuid && ls -1 $d/slaves");
        assertEquals(dm.exitStatus(), 0, "stage 2's root is a device-mapper device: " + dm);
        List<String> lines = RootWalk.lines(dm);
        assertEquals(lines.get(0), "vg-root", "the root is vg/root: " + dm);
        assertTrue(lines.get(1).startsWith("LVM-"), "the root's dm uuid is an LVM one: " + dm);
        assertEquals(lines.subList(2, lines.size()), disks, "the LV lies on these disks: " + dm);
    }
}
