package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Breakpoint;
import org.testng.annotations.Test;

public class BreakShellsTest {

    @Test
    public void eachPointIsAUnitOnTheSecondConsoleStartedOnlyWhenTheCommandLineNamesIt() {
        for (Arch arch : Arch.values()) {
            Stage1Composition c = SystemdStage1.compose(arch, Stage1Options.defaults(), null);
            for (Breakpoint b : Breakpoint.values()) {
                String unit = c.text("/usr/lib/systemd/system/" + b.unit()).orElseThrow();
                assertTrue(unit.contains("ConditionKernelCommandLine=rd.harness.break=" + b.id() + "\n"), unit);
                assertTrue(unit.contains(" " + b.id() + " " + arch.secondConsole() + "\n"), unit);
                assertTrue(unit.contains("TimeoutStartSec=infinity"), unit);
            }
            String preSwitch = c.text("/usr/lib/systemd/system/harness-break-pre-switch-root.service").orElseThrow();
            assertTrue(preSwitch.contains("Before=initrd.target initrd-cleanup.service initrd-switch-root.target\n"), preSwitch);
            // Only the failure point is always in the transaction: nothing waits for it.
            assertTrue(c.generatedAt("/usr/lib/systemd/system/initrd.target.wants/harness-break-pre-switch-root.service").isEmpty());
            PlanEntry link = c.generatedAt("/usr/lib/systemd/system/emergency.target.wants/harness-break-on-failure.service")
                    .orElseThrow();
            assertEquals(((PlanEntry.Symlink) link).target(), "../harness-break-on-failure.service");
            assertTrue(c.text(BreakShells.GENERATOR).isPresent());
            assertTrue(c.modules().contains("virtio_console"), "hvc0 and the journal port need virtio_console");
            assertTrue(c.text(BreakShells.RC).orElseThrow().contains("alias continue=exit"));
        }
    }

    @Test
    public void theGeneratorPullsInOnlyThePointsTheCommandLineNames() throws Exception {
        Path dir = Files.createTempDirectory("break-generator");
        Path cmdline = dir.resolve("cmdline");
        Files.writeString(cmdline, "console=ttyS0 rd.harness.break=pre-mount root=LABEL=x rd.harness.break=pre-switch-root\n");
        Path script = dir.resolve("generator");
        Files.writeString(script, BreakShells.generator().replace("/proc/cmdline", cmdline.toString()));
        Path out = dir.resolve("normal");
        Process p = new ProcessBuilder("sh", script.toString(), out.toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes());
        assertEquals(p.waitFor(), 0, said);
        assertEquals(Files.readSymbolicLink(out.resolve("initrd-root-fs.target.wants/harness-break-pre-mount.service")).toString(),
                "/usr/lib/systemd/system/harness-break-pre-mount.service");
        assertTrue(Files.isSymbolicLink(out.resolve("initrd.target.wants/harness-break-pre-switch-root.service")));
        assertFalse(Files.exists(out.resolve("sysinit.target.wants")), "rd.harness.break=initrd was not given");

        Files.writeString(cmdline, "console=ttyS0 root=LABEL=x\n");
        Path none = dir.resolve("none");
        p = new ProcessBuilder("sh", script.toString(), none.toString()).redirectErrorStream(true).start();
        assertEquals(p.waitFor(), 0);
        assertFalse(Files.exists(none), "no break point asked, nothing generated");
    }
}
