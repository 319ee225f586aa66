package org.initrdharness.scenarios.report;

import java.io.IOException;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.testng.annotations.Test;

/**
 * A scenario that fails for real, for the report's own test: the harness's stage 1 is told to
 * mount a root no disk carries, waits its (shortened) device timeout and ends in emergency mode
 * instead of stage 2. Not a scenario of the suites: only {@code HtmlReportBrowserTest} runs it.
 */
public class MissingRootFixture extends Scenario {

    @Test(groups = "smoke")
    public void missingRootReachesStage2() throws IOException {
        MachineSpec spec = machine("missing-root").initrd(stage1(Stage1Options.builder().deviceTimeoutSec(5).build()))
                .disk(rootDisk()).append("root=LABEL=no-such-root").build();
        try (Machine m = start(spec)) {
            awaitStage2(m);
        }
    }
}
