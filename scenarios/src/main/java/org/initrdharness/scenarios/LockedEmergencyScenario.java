package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
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
            System.out.printf(Locale.ROOT, "%s: locked emergency at %.1f s%n", release + "/" + arch, why.seconds());

            // Enter is all sulogin takes now: no shell starts, systemd goes on to the default target
            // and the boot reaches stage 2 (a shell would have waited for its commands instead).
            // systemd-sulogin-shell says so in its release's words: 252 "Starting default.target",
            // 257 names the target it starts, the initrd's "Starting initrd.target".
            String going = systemdVersion() >= 257 ? "Starting initrd\\.target" : "Starting default\\.target";
            EmergencyShellScenario.pressEnterUntil(m, Pattern.compile(going), Duration.ofSeconds(30));
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.arch(), arch.id());
            System.out.printf(Locale.ROOT, "%s: boot went on to stage 2 at %.1f s%n", release + "/" + arch, stage2.secondsSinceStart());
        }
    }
}
