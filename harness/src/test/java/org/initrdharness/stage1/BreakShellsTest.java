package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

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
            PlanEntry link = c.generatedAt("/usr/lib/systemd/system/initrd.target.wants/harness-break-pre-switch-root.service")
                    .orElseThrow();
            assertEquals(((PlanEntry.Symlink) link).target(), "../harness-break-pre-switch-root.service");
            assertTrue(c.modules().contains("virtio_console"), "hvc0 and the journal port need virtio_console");
            assertTrue(c.text(BreakShells.RC).orElseThrow().contains("alias continue=exit"));
        }
    }
}
