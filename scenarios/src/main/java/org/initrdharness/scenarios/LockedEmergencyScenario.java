package org.initrdharness.scenarios;

import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.testng.annotations.Test;

/**
 * With emergency access locked (the stage-1 default), emergency mode gives no shell, and the
 * console says why.
 */
public class LockedEmergencyScenario extends Scenario {

    @Test(groups = "nightly")
    public void lockedEmergencyAccessGivesNoShellAndSaysWhy() throws IOException {
        // The harness's own stage 1 with emergencyAccess "locked": a user's initrd may be open.
        MachineSpec spec = machine("locked-emergency").initrd(stage1(Stage1Options.defaults())).disk(rootDisk())
                .append(rootByLabel() + " rd.systemd.unit=emergency.target").build();
        try (Machine m = start(spec)) {
            m.console().allow(FailurePattern.EMERGENCY_MODE);
            m.console().expect("You are in emergency mode", EmergencyShellScenario.TO_EMERGENCY);
            ConsoleMatch why = m.console().expect("Cannot open access to console, the root account is locked.",
                    Duration.ofSeconds(30));
            System.out.printf(Locale.ROOT, "%s: locked emergency at %.1f s%n", arch, why.seconds());

            // sulogin takes what is typed as the Enter it asked for, no shell runs it, and systemd goes
            // on to the default target: the boot reaches stage 2 without the command's output.
            m.console().sendLine("echo SHELL-PROBE-$((6*7))");
            Stage2Report stage2 = awaitStage2(m);
            assertTrue(m.console().lines().stream().noneMatch(l -> l.text().contains("SHELL-PROBE-42")),
                    "a shell ran what was typed on the console although emergency access is locked");
            System.out.printf(Locale.ROOT, "%s: boot went on to stage 2 at %.1f s%n", arch, stage2.secondsSinceStart());
        }
    }
}
