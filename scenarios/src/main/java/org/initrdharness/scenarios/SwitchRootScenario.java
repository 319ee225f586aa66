package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/** Stage 1 finds the root file system however it is named, mounts it and switches to it. */
public class SwitchRootScenario extends Scenario {

    @Test(groups = "smoke")
    public void rootByLabelReachesStage2() throws IOException {
        MachineSpec spec = machine("root-by-label").initrd(conventionalInitrd()).disk(rootDisk())
                .append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.arch(), arch.id(), "stage 2 runs on the guest's arch");
            assertTrue(stage2.cmdline().contains(rootByLabel()), "stage 2 sees the kernel command line: " + stage2.cmdline());
            assertTrue(stage2.run().contains("/run/systemd"), "stage 1's /run survives switch-root: " + stage2.run());
            System.out.printf("%s: stage 2 at %.1f s (guest uptime %.1f s)%n", arch, stage2.secondsSinceStart(),
                    stage2.uptime());
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
        Stage1Options options = Stage1Options.parse("""
                {"fileSystems": [{"device": "LABEL=%s", "mountPoint": "/sysroot", "fsType": "ext4"}]}
                """.formatted(Stage2.LABEL), "fstab scenario");
        MachineSpec spec = machine("root-from-fstab").initrd(stage1(options)).disk(rootDisk()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertTrue(!stage2.cmdline().contains("root="), "no root= on the command line: " + stage2.cmdline());
        }
    }

    @Test(groups = "nightly")
    public void whatStage1LeavesInRunIsSeenInStage2() throws IOException {
        Stage1Options options = Stage1Options.parse("""
                {"units": {"leave-mark.service": "[Unit]\\nDescription=Leave a mark for stage 2\\nDefaultDependencies=no\\nBefore=initrd.target\\n[Service]\\nType=oneshot\\nExecStart=/bin/sh -c 'mkdir -p %s && echo from-stage-1 > %s/unit'\\n"},
                 "wants": {"initrd.target": ["leave-mark.service"]}}
                """.formatted(Stage2.MARKS_DIR, Stage2.MARKS_DIR), "run-mark scenario");
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
            m.console().expect("/ #", java.time.Duration.ofSeconds(150));
            ShellResult pid1 = m.console().shell().run("cat /proc/1/cmdline | tr '\\0' ' '; test -f /etc/os-release");
            assertEquals(pid1.exitStatus(), 0, "os-release of stage 2 is there: " + pid1);
            assertTrue(pid1.output().startsWith("/bin/sh"), "PID 1 in stage 2 is init=: " + pid1.output());
        }
    }
}
