package org.initrdharness.scenarios;

import static org.testng.Assert.assertFalse;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.BootFailure;
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

            // Whatever is typed now is not run by a shell: a command's output never shows.
            m.console().sendLine("echo SHELL-PROBE-$((6*7))");
            assertFalse(appears(m, Pattern.compile("SHELL-PROBE-42"), Duration.ofSeconds(15)),
                    "a shell ran what was typed on the console although emergency access is locked");
        }
    }

    /** True if {@code p} shows within {@code timeout}; false when the wait ends without it. */
    private static boolean appears(Machine m, Pattern p, Duration timeout) {
        try {
            m.console().waitFor(p, timeout);
            return true;
        } catch (BootFailure f) {
            if (f.kind() == BootFailure.Kind.TIMEOUT || f.kind() == BootFailure.Kind.GUEST_EXITED) return false;
            throw f;
        }
    }
}
