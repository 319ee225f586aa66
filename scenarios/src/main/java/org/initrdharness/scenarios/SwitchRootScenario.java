package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.util.List;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/** Stage 1 finds the root file system however it is named, mounts it and switches to it. */
public class SwitchRootScenario extends Scenario {

    /**
     * What sysroot.mount was late in stage 1: the device its unit file names (once mounted,
     * {@code What} is the kernel's name for it, /dev/vda) and where systemd got the unit from.
     */
    static final MarkingUnit SYSROOT_MARK = new MarkingUnit("sysroot", List.of("initrd-root-fs.target"), """
            echo "what=$(sed -n 's/^What=//p' "$(systemctl show -P FragmentPath sysroot.mount)")"
            echo "source=$(systemctl show -P SourcePath sysroot.mount)"
            echo "state=$(systemctl is-active sysroot.mount)"
            """);

    @Test(groups = "smoke")
    public void rootByLabelReachesStage2() throws IOException {
        // A user's initrd cannot carry the mark; reaching stage 2 on the only disk is all it shows.
        java.nio.file.Path initrd = bringsOwnInitrd() ? conventionalInitrd()
                : stage1(SYSROOT_MARK.addTo(Stage1Options.builder()).build());
        MachineSpec spec = machine("root-by-label").initrd(initrd).disk(rootDisk())
                .append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.arch(), arch.id(), "stage 2 runs on the guest's arch");
            if (!bringsOwnInitrd()) {
                assertEquals(stage2.mark("sysroot"), "what=/dev/disk/by-label/" + Stage2.LABEL
                        + "\nsource=/proc/cmdline\nstate=active", "stage 1 mounted /sysroot from root=LABEL=: " + stage2.marks());
            }
            // systemd 252 hands its /run/systemd to the next root as it is; 257 moves it aside on
            // switch-root, to /run/systemd.pre-switch-root.
            String state = systemdVersion() >= 257 ? "/run/systemd.pre-switch-root" : "/run/systemd";
            assertTrue(stage2.run().contains(state), "stage 1's " + state + " survives switch-root (systemd "
                    + systemdVersion() + "): " + stage2.run());
            System.out.printf("%s: stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch, stage2.secondsSinceStart(),
                    stage2.uptime());
        }
    }

    /**
     * The bzImage boot protocol, where the kernel decompresses itself, stays covered while every
     * other boot enters x86_64 kernels through PVH (on aarch64 QEMU loads the Image either way).
     */
    @Test(groups = "nightly")
    public void bzImageBootProtocolReachesStage2() throws IOException {
        MachineSpec spec = machine("bzimage-entry").initrd(conventionalInitrd()).disk(rootDisk())
                .append(rootByLabel()).kernelEntry(KernelEntry.BZIMAGE).build();
        try (Machine m = start(spec)) {
            assertEquals(m.kernelBoot().entry(), KernelEntry.BZIMAGE, m.kernelBoot().describe());
            assertEquals(m.command().get(m.command().indexOf("-kernel") + 1), spec.kernel().toString(),
                    "QEMU loads the bzImage itself");
            assertEquals(awaitStage2(m).arch(), arch.id());
        }
    }

    @Test(groups = "nightly")
    public void rootByUuidReachesStage2() throws IOException {
        MachineSpec spec = machine("root-by-uuid").initrd(conventionalInitrd()).disk(rootDisk())
                .append("root=UUID=" + Stage2.UUID).build();
        try (Machine m = start(spec)) {
            assertEquals(awaitStage2(m).arch(), arch.id());
        }
    }

    @Test(groups = "nightly")
    public void rootFromFstabEntryReachesStage2() throws IOException {
        Stage1Options options = SYSROOT_MARK.addTo(Stage1Options.builder()
                .fileSystem(new Stage1Options.FileSystem("LABEL=" + Stage2.LABEL, "/sysroot", "ext4", null))).build();
        MachineSpec spec = machine("root-from-fstab").initrd(stage1(options)).disk(rootDisk()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("sysroot"), "what=/dev/disk/by-label/" + Stage2.LABEL
                    + "\nsource=/etc/fstab\nstate=active", "stage 1 mounted /sysroot from the initrd's fstab: " + stage2.marks());
        }
    }

    @Test(groups = "nightly")
    public void whatStage1LeavesInRunIsSeenInStage2() throws IOException {
        Stage1Options options = Stage1Options.builder().unit("leave-mark.service", """
                [Unit]
                Description=Leave a mark for stage 2
                DefaultDependencies=no
                Before=initrd.target
                [Service]
                Type=oneshot
                ExecStart=/bin/sh -c 'mkdir -p %s && echo from-stage-1 > %s/unit'
                """.formatted(Stage2.MARKS_DIR, Stage2.MARKS_DIR)).want("initrd.target", "leave-mark.service").build();
        MachineSpec spec = machine("run-mark").initrd(stage1(options)).disk(rootDisk()).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("unit"), "from-stage-1", "the mark a stage-1 unit left in " + Stage2.MARKS_DIR);
        }
    }

    @Test(groups = "nightly")
    public void initOnTheCommandLineIsHonoured() throws IOException {
        MachineSpec spec = machine("init-override").initrd(conventionalInitrd()).disk(rootDisk())
                .append(rootByLabel() + " init=/bin/sh").build();
        try (Machine m = start(spec)) {
            m.console().expect("Enter 'help' for a list of built-in commands", java.time.Duration.ofSeconds(150));
            // Trixie's busybox 1.37 asks the terminal for its size before its first prompt and
            // draws none until a key comes, and shows the working directory / as "~" (HOME is /);
            // bookworm's 1.35 prompts "/ #" at once. Enter and either prompt suit both.
            EmergencyShellScenario.pressEnterUntil(m, java.util.regex.Pattern.compile("[/~] #"), java.time.Duration.ofSeconds(30));
            // The initrd has an os-release too (ID=initrd-harness): only stage 2's says this.
            ShellResult id = m.console().shell().run("(. /etc/os-release; echo \"ID=$ID\")");
            assertEquals(id.output().strip(), "ID=initrd-harness-stage2", "the shell runs in stage 2, not in the initrd: " + id);
            ShellResult pid1 = m.console().shell().run("cat /proc/1/cmdline | tr '\\0' ' '");
            assertTrue(pid1.output().startsWith("/bin/sh"), "PID 1 in stage 2 is init=: " + pid1.output());
        }
    }
}
