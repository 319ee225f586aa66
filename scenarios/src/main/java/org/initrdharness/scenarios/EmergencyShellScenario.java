package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.EmergencyAccess;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/**
 * When stage 1 cannot go on it falls into emergency mode with a root shell on the serial console,
 * and the boot can be taken up again from there without a reboot. Only kernel command-line
 * conventions are used (a root= whose disk is missing, rd.systemd.unit=,
 * rootflags=x-systemd.device-timeout=, systemd.setenv=), so these also run against a user's
 * systemd initrd; only the test of the deviceTimeoutSec option needs the harness's own stage 1.
 */
public class EmergencyShellScenario extends Scenario {

    /** The device unit systemd waits for with root=LABEL=stage2root. */
    static final String ROOT_DEVICE_UNIT = "dev-disk-by\\x2dlabel-" + Stage2.LABEL + ".device";

    /**
     * Shortens the wait for the missing root from systemd's 90 s: fstab-generator turns the mount
     * option into the root device's job timeout; dracut replaces that with its own rd.timeout
     * (no limit by default), which other stage 1s ignore.
     */
    static final String SHORT_DEVICE_TIMEOUT = "rootflags=x-systemd.device-timeout=5s rd.timeout=5";

    /** sulogin gives a shell even though root's password is locked, as stage 1s usually ship it. */
    static final String FORCE_SHELL = "systemd.setenv=SYSTEMD_SULOGIN_FORCE=1";

    /** Up to the emergency shell: a whole stage 1 and the device timeout, under TCG. */
    static final Duration TO_EMERGENCY = Duration.ofSeconds(150);

    @Test(groups = "nightly")
    public void missingRootDiskDropsToShellWhereCommandsRunWithTheirExitStatus() throws IOException {
        MachineSpec spec = machine("missing-root").initrd(conventionalInitrd())
                .append(rootByLabel() + " " + SHORT_DEVICE_TIMEOUT + " " + FORCE_SHELL).build();
        try (Machine m = start(spec)) {
            // The console's status lines are not a record (plymouth may hold them back): wait for the
            // shell, then ask the journal what happened.
            ConsoleMatch shell = openEmergencyShell(m);
            System.out.printf(Locale.ROOT, "%s: emergency shell at %.1f s%n", release + "/" + arch, shell.seconds());

            // The command line's 5 s, not systemd's default 90 s (which would fit inside TO_EMERGENCY too).
            ShellResult timeout = m.console().shell().run("systemctl --no-pager show -p JobRunningTimeoutUSec --value '"
                    + ROOT_DEVICE_UNIT + "'");
            assertEquals(timeout.output().strip(), "5s", "the root device's job timeout, shortened on the command line: " + timeout);
            ShellResult active = m.console().shell().run("systemctl is-active sysroot.mount");
            assertEquals(active.exitStatus(), 3, "sysroot.mount is not active: " + active);
            assertEquals(active.output().strip(), "inactive", "sysroot.mount's state: " + active);
            // --no-pager: a user's initrd may have less, which a tty would start.
            ShellResult what = m.console().shell().run("systemctl --no-pager show -p What --value sysroot.mount");
            assertEquals(what.output().strip(), "/dev/disk/by-label/" + Stage2.LABEL, "sysroot.mount's device: " + what);
            ShellResult failed = m.console().shell().run("systemctl --no-pager --failed --no-legend --plain");
            // A timed-out device job leaves no unit "failed", in systemd 252 and in 257 alike: the
            // journal says what happened.
            assertEquals(failed.output().strip(), "", "systemctl --failed after a device timeout (systemd "
                    + systemdVersion() + "): " + failed);
            ShellResult journal = m.console().shell().run(linesContaining("journalctl -b -o cat --no-pager",
                    "Timed out waiting for device " + ROOT_DEVICE_UNIT, "Dependency failed for sysroot.mount"));
            assertTrue(journal.output().contains("Timed out waiting for device " + ROOT_DEVICE_UNIT), "the journal names the device: " + journal);
            assertTrue(journal.output().contains("Dependency failed for sysroot.mount"), "the journal names sysroot.mount: " + journal);

            ShellResult no = m.console().shell().run("false");
            assertEquals(no.exitStatus(), 1, "`false` in the emergency shell: " + no);
            ShellResult absent = m.console().shell().run("test -e /dev/disk/by-label/" + Stage2.LABEL);
            assertEquals(absent.exitStatus(), 1, "the root disk is not there: " + absent);
        }
    }

    @Test(groups = "nightly")
    public void deviceTimeoutOptionBoundsTheWaitForAMissingRoot() throws IOException {
        // The harness's own stage 1 says it in system.conf (DefaultDeviceTimeoutSec) and opens the shell itself.
        Stage1Options options = Stage1Options.builder().emergencyAccess(EmergencyAccess.OPEN).deviceTimeoutSec(5).build();
        MachineSpec spec = machine("device-timeout-option").initrd(stage1(options)).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            ConsoleMatch shell = openEmergencyShell(m);
            System.out.printf(Locale.ROOT, "%s: emergency shell at %.1f s%n", release + "/" + arch, shell.seconds());
            ShellResult timeout = m.console().shell().run("systemctl --no-pager show -p JobRunningTimeoutUSec --value '"
                    + ROOT_DEVICE_UNIT + "'");
            assertEquals(timeout.output().strip(), "5s", "the root device's job timeout: " + timeout);
        }
    }

    @Test(groups = "nightly")
    public void missingRootDiskRecoversAfterHotplugWithoutReboot() throws IOException {
        MachineSpec spec = machine("hotplug-recovery").initrd(conventionalInitrd())
                .append(rootByLabel() + " " + SHORT_DEVICE_TIMEOUT + " " + FORCE_SHELL).build();
        try (Machine m = start(spec)) {
            openEmergencyShell(m);
            m.hotplug(rootDisk());
            ShellResult seen = m.console().shell().run("i=0; while [ ! -e /dev/disk/by-label/" + Stage2.LABEL
                    + " ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done; readlink -f /dev/disk/by-label/" + Stage2.LABEL,
                    Duration.ofSeconds(90));
            assertEquals(seen.exitStatus(), 0, "the hot-plugged disk shows up by its label: " + seen);
            assertTrue(seen.output().strip().startsWith("/dev/vd"), "the label names a virtio disk: " + seen);
            double plugged = m.console().seconds();

            // From here on, emergency mode again would be a failure.
            m.console().failOn(FailurePattern.EMERGENCY_MODE);
            m.console().sendLine("systemctl default");
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.arch(), arch.id(), "stage 2 runs on the guest's arch");
            System.out.printf(Locale.ROOT, "%s: disk seen at %.1f s, stage 2 at %.1f s%n", release + "/" + arch, plugged,
                    stage2.secondsSinceStart());
        }
    }

    @Test(groups = "nightly")
    public void emergencyTargetOnTheCommandLineForcesTheShell() throws IOException {
        MachineSpec spec = machine("forced-emergency").initrd(conventionalInitrd()).disk(rootDisk())
                .append(rootByLabel() + " rd.systemd.unit=emergency.target " + FORCE_SHELL).build();
        try (Machine m = start(spec)) {
            ConsoleMatch shell = openEmergencyShell(m);
            System.out.printf(Locale.ROOT, "%s: forced emergency shell at %.1f s%n", release + "/" + arch, shell.seconds());
            ShellResult emergency = m.console().shell().run("systemctl is-active emergency.target");
            assertEquals(emergency.exitStatus(), 0, "emergency.target is active: " + emergency);
            ShellResult initrd = m.console().shell().run("systemctl is-active initrd.target");
            assertEquals(initrd.exitStatus(), 3, "initrd.target was not reached: " + initrd);
            ShellResult sysroot = m.console().shell().run(LegacyHooksScenario.SYSROOT_MOUNTED);
            assertEquals(sysroot.exitStatus(), 1, "nothing mounted /sysroot: " + sysroot);
        }
    }

    /**
     * Waits for the emergency shell's greeting and opens it: the emergency mode that fails other
     * waits is the point here. Returns the greeting.
     */
    static ConsoleMatch openEmergencyShell(Machine m) throws IOException {
        m.console().allow(FailurePattern.EMERGENCY_MODE);
        ConsoleMatch greeting = m.console().waitFor(GREETING, TO_EMERGENCY);
        m.console().expect("(or press Control-D to continue): ", Duration.ofSeconds(30));
        pressEnterUntil(m, SHELL_PROMPT, Duration.ofSeconds(30));
        return greeting;
    }

    /**
     * {@code command}'s output lines that contain one of {@code texts} (no single quotes), in
     * shell builtins only: a user's initrd may have no grep.
     */
    static String linesContaining(String command, String... texts) {
        StringBuilder patterns = new StringBuilder();
        for (String t : texts) {
            if (t.contains("'")) throw new IllegalArgumentException("no single quotes in: " + t);
            patterns.append(patterns.length() == 0 ? "" : "|").append("*'").append(t).append("'*");
        }
        return command + " | while IFS= read -r line; do case \"$line\" in " + patterns + ") echo \"$line\";; esac; done";
    }

    /** How long one Enter is given before the next. */
    private static final Duration ENTER_AGAIN = Duration.ofSeconds(3);

    /**
     * Presses Enter until {@code accepted} shows, within {@code timeout} (scaled). sulogin empties
     * the console's input (TCSAFLUSH) after printing its prompt and before reading, so an Enter
     * typed in between is lost however long the prompt was waited for; once one got through,
     * another is only an empty command line.
     */
    static ConsoleMatch pressEnterUntil(Machine m, Pattern accepted, Duration timeout) throws IOException {
        Deadline overall = m.timeouts().deadline(timeout);
        while (true) {
            m.console().sendLine("");
            try {
                return m.console().waitFor(accepted, m.timeouts().deadline(ENTER_AGAIN).earlier(overall));
            } catch (BootFailure f) {
                if (f.kind() != BootFailure.Kind.TIMEOUT || overall.expired()) throw f;
            }
        }
    }

    /** What systemd's emergency shell (and dracut's, in its own words) prints before sulogin asks. */
    static final Pattern GREETING = Pattern.compile("You are in emergency mode|Entering emergency mode");

    /** A root shell's prompt: "~ # " (busybox), "bash-5.2# ", ":/# "; the line must have settled. */
    static final Pattern SHELL_PROMPT = Pattern.compile("[#$] ?$");
}
