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
import org.initrdharness.stage1.LegacyHooks;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/**
 * The scripted stage 1's hooks (preDeviceCommands, postDeviceCommands, postMountCommands,
 * preFailCommands) keep working under the systemd stage 1: each runs once, in its place, and
 * what it leaves in /run/harness reaches stage 2. They are options of the harness's own stage 1,
 * so these scenarios are skipped for a user's initrd.
 */
public class LegacyHooksScenario extends Scenario {

    private static final String MARKS = Stage2.MARKS_DIR;
    /**
     * A shell test for a mount on /sysroot in shell builtins only: busybox's mountpoint applet is
     * not in every build, and a user's initrd may have no grep.
     */
    static final String SYSROOT_MOUNTED =
            "(while read -r dev dir rest; do [ \"$dir\" = /sysroot ] && exit 0; done < /proc/mounts; exit 1)";
    private static final String BY_LABEL = "/dev/disk/by-label/" + Stage2.LABEL;

    /**
     * Each hook appends its name to one file, counts its runs and notes what it saw. postMountCommands
     * writes into /sysroot: the scenarios boot with rw, since systemd mounts the root read-only
     * unless told otherwise. Without plymouth: the hooks do not need it, and a plymouthd carried
     * across switch-root keeps reading the console (nothing in stage 2 tells it to quit), so the
     * stage-2 shell would never see what is typed.
     */
    private static final Stage1Options RECORDING_HOOKS = Stage1Options.builder().plymouth(false).hooks(
            record("pre-device") + "if [ -e " + BY_LABEL + " ]; then echo present; else echo absent; fi > "
                    + MARKS + "/pre-device-by-label\n",
            record("post-device") + "ls /dev/disk/by-label > " + MARKS + "/post-device-labels\n"
                    + sysrootState("post-device"),
            record("post-mount") + sysrootState("post-mount")
                    + "echo written-by-post-mount > /sysroot/root/post-mount-was-here\n",
            record("pre-fail")).build();

    private static String record(String hook) {
        return "mkdir -p " + MARKS + "\n"
                + "echo " + hook + " >> " + MARKS + "/order\n"
                + "echo ran >> " + MARKS + "/" + hook + "-runs\n";
    }

    private static String sysrootState(String hook) {
        return "if " + SYSROOT_MOUNTED + "; then echo mounted; else echo not-mounted; fi > " + MARKS + "/" + hook
                + "-sysroot\n";
    }

    @Test(groups = "nightly")
    public void postDeviceCommandsRunOnceAfterTheRootDeviceBeforeSysrootIsMounted() throws IOException {
        MachineSpec spec = machine("post-device").initrd(stage1(RECORDING_HOOKS)).disk(rootDisk())
                .append(rootByLabel() + " rw").build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("post-device-runs"), "ran", "postDeviceCommands ran exactly once: " + stage2.marks());
            assertTrue(stage2.mark("post-device-labels").lines().anyMatch(Stage2.LABEL::equals),
                    "the root device existed when postDeviceCommands ran: " + stage2.marks());
            assertEquals(stage2.mark("post-device-sysroot"), "not-mounted",
                    "/sysroot was not mounted yet when postDeviceCommands ran: " + stage2.marks());
            System.out.printf(Locale.ROOT, "%s: stage 2 with hooks at %.1f s%n", release + "/" + arch, stage2.secondsSinceStart());
        }
    }

    @Test(groups = "nightly")
    public void hooksRunInTheirPlacesInTheScriptedStage1Order() throws IOException {
        MachineSpec spec = machine("hook-order").initrd(stage1(RECORDING_HOOKS)).disk(rootDisk())
                .append(rootByLabel() + " rw " + Stage2.SHELL_SWITCH).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("order"), "pre-device\npost-device\npost-mount",
                    "the hooks in boot order, preFailCommands not at all: " + stage2.marks());
            assertEquals(stage2.mark("pre-device-by-label"), "absent",
                    "preDeviceCommands ran before udev named the disks: " + stage2.marks());
            assertEquals(stage2.mark("post-mount-sysroot"), "mounted",
                    "postMountCommands ran with /sysroot mounted: " + stage2.marks());
            for (String hook : new String[] {"pre-device", "post-device", "post-mount"}) {
                assertEquals(stage2.mark(hook + "-runs"), "ran", hook + " ran exactly once: " + stage2.marks());
            }

            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            ShellResult written = m.console().shell().run("cat /root/post-mount-was-here");
            assertEquals(written.exitStatus(), 0, "what postMountCommands wrote into /sysroot is in stage 2: " + written);
            assertEquals(written.output().strip(), "written-by-post-mount", written.toString());
        }
    }

    private static final String HOOK_UNIT = LegacyHooks.HOOKS.stream().filter(h -> h.option().equals("postDeviceCommands"))
            .findFirst().orElseThrow().unit();

    @Test(groups = "nightly")
    public void failingPostDeviceCommandsEndInEmergencyModeNamingTheHook() throws IOException {
        Stage1Options options = Stage1Options.builder().emergencyAccess(EmergencyAccess.OPEN)
                .hooks(record("pre-device"), record("post-device") + "echo giving up >&2\nexit 3\n",
                        record("post-mount"), record("pre-fail")).build();
        MachineSpec spec = machine("failing-post-device").initrd(stage1(options)).disk(rootDisk())
                .append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            m.console().allow(FailurePattern.UNIT_FAILED);
            m.console().allow(FailurePattern.EMERGENCY_MODE);
            ConsoleMatch failed = m.console().expect("stage1: hook postDeviceCommands failed with exit status 3",
                    EmergencyShellScenario.TO_EMERGENCY);
            // systemd fits its status line into the console's 80 columns by cutting the unit name's
            // middle ("stage1-pos…ice - postDeviceCommands hook."); the description names the hook.
            m.console().waitFor(Pattern.compile("Failed to start stage1-.*postDeviceCommands"), Duration.ofSeconds(30));
            ConsoleMatch shell = EmergencyShellScenario.openEmergencyShell(m);
            System.out.printf(Locale.ROOT, "%s: hook failed at %.1f s, emergency shell at %.1f s%n", release + "/" + arch,
                    failed.seconds(), shell.seconds());

            ShellResult journal = m.console().shell().run(
                    "journalctl -b -o cat --no-pager | grep -F 'Failed to start " + HOOK_UNIT + "'");
            assertTrue(journal.output().lines().anyMatch(l -> l.contains("Failed to start " + HOOK_UNIT + " - ")
                    && l.contains("postDeviceCommands")), "systemd names the hook's unit and option when it fails: " + journal);
            ShellResult units = m.console().shell().run("systemctl --failed --full --no-legend --plain --no-pager");
            assertTrue(units.output().contains(HOOK_UNIT),
                    "systemctl --failed names the hook's unit: " + units);
            ShellResult order = m.console().shell().run("cat " + MARKS + "/order");
            assertEquals(order.output().strip(), "pre-device\npost-device\npre-fail",
                    "preFailCommands ran after the failing hook, postMountCommands never: " + order);
            ShellResult sysroot = m.console().shell().run(SYSROOT_MOUNTED);
            assertEquals(sysroot.exitStatus(), 1, "/sysroot stays unmounted after the failing hook: " + sysroot);
        }
    }
}
