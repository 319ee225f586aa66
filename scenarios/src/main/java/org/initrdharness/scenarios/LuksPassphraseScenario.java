package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.scenarios.support.SecretScan;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.ConsoleLine;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.ITestResult;
import org.testng.Reporter;
import org.testng.annotations.Test;

/**
 * LUKS2 volumes named by rd.luks.uuid= with plymouth in stage 1 and only a serial console:
 * plymouthd runs, its details view puts systemd-cryptsetup's passphrase prompt on the serial
 * line, a wrong passphrase is refused and asked again, the right one unlocks and the boot
 * reaches stage 2; one answer opens two volumes that share a passphrase; and the passphrases
 * typed show up in no log or report. Opening the root by rd.luks.uuid= with a typed passphrase
 * relies on command-line conventions only, so that test also boots a user's own initrd.
 */
public class LuksPassphraseScenario extends Scenario {
    /**
     * A prompt that starts a console line. Plymouth redraws the prompt on the same line after
     * every key ("...:Please enter...:*Please enter..."); a new request starts a new line.
     */
    static final Pattern PROMPT = Pattern.compile("^Please enter passphrase for disk (\\S+?):");

    /** Any initrd's prompt for a LUKS passphrase (systemd's, dracut's, plymouth's), wherever it is on a line. */
    static final Pattern ANY_PROMPT = Pattern.compile("(?i)passphrase for \\S+");

    @Test(groups = "nightly")
    public void rdLuksUuidRootOpensWithThePassphraseTypedOnTheSerialConsole() throws IOException {
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase();
        Path scratch = scratchDir("rd-luks-uuid");
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratch);
        MachineSpec spec = machine("rd-luks-uuid").initrd(conventionalInitrd()).disk(Disk.raw(root, "luks"))
                .append("rd.luks.uuid=" + images.luksUuid() + " " + rootByLabel() + " " + Stage2.SHELL_SWITCH).build();
        Path consoleLog;
        try (Machine m = start(spec)) {
            consoleLog = m.artifacts().consoleLog();
            Console console = m.console();
            ConsoleMatch prompt = console.waitFor(ANY_PROMPT, Duration.ofSeconds(150));
            console.sendSecretLine(passphrase);
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.arch(), arch.id(), "stage 2 runs on the guest's arch");
            // What stage 1 did: stage 2's root is the device-mapper volume it opened for
            // rd.luks.uuid= (named luks-UUID, a LUKS2 crypt target of that header UUID).
            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            ShellResult opened = m.console().shell().run("d=/sys/dev/block/$(awk '$5 == \"/\" { d = $3 } END { print d }'"
                    + " /proc/self/mountinfo)/dm; cat $d/name $d/uuid");
            assertEquals(opened.exitStatus(), 0, "stage 2's root is a device-mapper volume: " + opened);
            assertEquals(opened.output().strip(), "luks-" + images.luksUuid() + "\nCRYPT-LUKS2-"
                    + images.luksUuid().toString().replace("-", "") + "-luks-" + images.luksUuid(),
                    "stage 2's root is the LUKS volume stage 1 opened: " + opened);
            System.out.printf("%s: prompt at %.1f s, stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch,
                    prompt.seconds(), stage2.secondsSinceStart(), stage2.uptime());
        }
        assertNoLeak(List.of(passphrase), List.of(consoleLog));
    }

    @Test(groups = "nightly")
    public void wrongPassphraseIsAskedAgainAndTheRightOneReachesStage2() throws IOException {
        GuestImages images = images();
        String right = ScratchLuks.freshPassphrase();
        String wrong = ScratchLuks.freshPassphrase();
        String volume = "luks-" + images.luksUuid();
        Stage1Options.Builder options = Stage1Options.builder();
        plymouthMark().addTo(options);
        mapperMark().addTo(options);
        journalMark().addTo(options);
        Path initrd = stage1(options.build());
        Path scratch = scratchDir("wrong-then-right");
        Path root = ScratchLuks.rootWithPassphrase(images, right, scratch);
        MachineSpec spec = machine("wrong-then-right").initrd(initrd)
                .disk(Disk.raw(root, "luks")).append("rd.luks.uuid=" + images.luksUuid() + " " + rootByLabel())
                .build();
        Path consoleLog;
        try (Machine m = start(spec)) {
            consoleLog = m.artifacts().consoleLog();
            Console console = m.console();
            ConsoleMatch first = console.waitFor(PROMPT, Duration.ofSeconds(150));
            assertEquals(first.group(1), volume, "the serial console asks for the root volume's passphrase");
            console.sendSecretLine(wrong);
            ConsoleMatch again = console.waitFor(PROMPT, Duration.ofSeconds(60));
            assertNotEquals(again.line().id(), first.line().id(), "a new prompt, not a redraw of the first");
            assertEquals(again.group(1), volume, "the wrong passphrase is refused and the same volume asked again");
            double refusedAt = again.seconds();
            console.sendSecretLine(right);
            Stage2Report stage2 = awaitStage2(m);

            assertEquals(promptLines(console).size(), 2, "asked exactly twice: " + promptLines(console));
            assertPlymouthAnswered(stage2);
            assertEquals(stage2.mark("mapper"), volume + "\nroot=" + volume,
                    "the right passphrase opened the root volume and the root label is on it");
            assertTrue(stage2.mark("cryptsetup-journal").contains("Passphrase incorrect"),
                    "systemd-cryptsetup logged the refusal: " + stage2.mark("cryptsetup-journal"));
            System.out.printf("%s: prompt at %.1f s, asked again at %.1f s, stage 2 at %.1f s (guest uptime %.1f s)%n",
                    release + "/" + arch, first.seconds(), refusedAt, stage2.secondsSinceStart(), stage2.uptime());
        }
        assertNoLeak(List.of(right, wrong), List.of(consoleLog));
    }

    @Test(groups = "nightly")
    public void onePassphraseOpensTwoVolumes() throws IOException {
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase();
        UUID dataUuid = UUID.randomUUID();
        String rootVolume = "luks-" + images.luksUuid();
        String dataVolume = "luks-" + dataUuid;
        Stage1Options.Builder options = Stage1Options.builder();
        plymouthMark().addTo(options);
        mapperMark().addTo(options);
        Path initrd = stage1(options.build());
        Path scratch = scratchDir("one-answer-two-volumes");
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratch);
        Path data = ScratchLuks.newVolume("stage2data", dataUuid, passphrase, scratch);
        MachineSpec spec = machine("one-answer-two-volumes").initrd(initrd)
                .disk(Disk.raw(root, "luks")).disk(Disk.raw(data, "data"))
                .append("rd.luks.uuid=" + images.luksUuid() + " rd.luks.uuid=" + dataUuid + " " + rootByLabel())
                .build();
        Path consoleLog;
        try (Machine m = start(spec)) {
            consoleLog = m.artifacts().consoleLog();
            Console console = m.console();
            ConsoleMatch first = console.waitFor(PROMPT, Duration.ofSeconds(150));
            assertTrue(first.group(1).equals(rootVolume) || first.group(1).equals(dataVolume),
                    "the prompt names one of the two volumes: " + first.text());
            console.sendSecretLine(passphrase);
            console.failOn(new FailurePattern("a second passphrase prompt (the cached passphrase should open the"
                    + " other volume)", PROMPT, BootFailure.Kind.PATTERN));
            Stage2Report stage2 = awaitStage2(m);

            assertEquals(promptLines(console).size(), 1, "asked once: " + promptLines(console));
            assertPlymouthAnswered(stage2);
            List<String> open = List.of(stage2.mark("mapper").split("\n"));
            assertTrue(open.contains(rootVolume) && open.contains(dataVolume),
                    "both volumes open before switch-root: " + open);
            assertTrue(open.contains("root=" + rootVolume), "the root label is on the root volume: " + open);
            System.out.printf("%s: one answer at %.1f s opened %s and %s; stage 2 at %.1f s (guest uptime %.1f s)%n",
                    release + "/" + arch, first.seconds(), rootVolume, dataVolume, stage2.secondsSinceStart(), stage2.uptime());
        }
        assertNoLeak(List.of(passphrase), List.of(consoleLog));
    }

    /** plymouthd was running late in stage 1, and the plymouth agent (not the console's) took the request. */
    public static void assertPlymouthAnswered(Stage2Report stage2) {
        String p = stage2.mark("plymouth");
        Matcher pid = Pattern.compile("(?m)^pidof=(\\d+)$").matcher(p == null ? "" : p);
        assertTrue(pid.find(), "plymouthd runs in stage 1 after the volumes are open: " + p);
        assertTrue(p.contains("pidfile=" + pid.group(1) + "\n"), "plymouthd is the daemon of /run/plymouth/pid: " + p);
        assertTrue(p.contains("ping=ok"), "plymouthd answers a ping: " + p);
        Matcher agent = Pattern.compile("(?m)^plymouth-agent-active-at=(\\d+)$").matcher(p);
        assertTrue(agent.find() && Long.parseLong(agent.group(1)) > 0,
                "systemd-ask-password-plymouth.service ran: " + p);
        // The console agent stands aside while plymouth runs (ConditionPathExists=!/run/plymouth/pid).
        assertTrue(p.contains("console-agent-active-at=0\n") || p.endsWith("console-agent-active-at=0"),
                "systemd-ask-password-console.service never ran: the prompt was plymouth's: " + p);
    }

    /** The console lines that start with a passphrase prompt: one per request. */
    private static List<String> promptLines(Console console) {
        List<String> out = new ArrayList<>();
        for (ConsoleLine l : console.lines()) {
            if (PROMPT.matcher(l.text()).find()) out.add(String.format("%.1f s: %s", l.seconds(), PROMPT.matcher(l.text())
                    .results().findFirst().map(r -> r.group(1)).orElse("?")));
        }
        return out;
    }

    /**
     * No file under the report directory (logs, timelines, replay scripts, initrds, reports) and no
     * test output holds a secret; the scan must have read {@code mustCover} (this test's console logs).
     */
    private void assertNoLeak(List<String> secrets, List<Path> mustCover) throws IOException {
        SecretScan.Result scan = SecretScan.scan(reportDir(), secrets);
        for (Path p : mustCover) {
            assertTrue(scan.covered(p), "the secret scan of " + reportDir() + " did not read " + p + " (" + scan.scanned().size()
                    + " files read)");
        }
        List<String> leaks = new ArrayList<>(scan.leaks());
        ITestResult r = Reporter.getCurrentTestResult();
        if (r != null && SecretScan.contains(String.join("\n", Reporter.getOutput(r)), secrets)) {
            leaks.add("TestNG reporter output of " + r.getName());
        }
        assertTrue(leaks.isEmpty(), "a typed passphrase leaked into: " + leaks);
    }

    /** Whether plymouthd is running late in stage 1 (after the volumes are open), and which agent ran. */
    public static MarkingUnit plymouthMark() {
        return new MarkingUnit("plymouth", List.of("cryptsetup.target"), """
                echo "pidof=$(pidof plymouthd)"
                echo "pidfile=$(cat /run/plymouth/pid)"
                plymouth --ping && echo ping=ok || echo ping=failed
                echo "plymouth-agent-active-at=$(systemctl show -P ActiveEnterTimestampMonotonic systemd-ask-password-plymouth.service)"
                echo "console-agent-active-at=$(systemctl show -P ActiveEnterTimestampMonotonic systemd-ask-password-console.service)"
                """);
    }

    /** The device-mapper volumes open before switch-root and the one the root label is on. */
    static MarkingUnit mapperMark() {
        return new MarkingUnit("mapper", List.of("cryptsetup.target"), """
                ls /dev/mapper | grep -v '^control$'
                echo "root=$(cat /sys/block/$(basename $(readlink -f /dev/disk/by-label/stage2root))/dm/name)"
                """);
    }

    /** What systemd-cryptsetup logged in stage 1 (refusals included; it never logs a passphrase). */
    static MarkingUnit journalMark() {
        return new MarkingUnit("cryptsetup-journal", List.of("cryptsetup.target"), """
                journalctl -b -o cat -u 'systemd-cryptsetup@*' | tail -n 20
                """);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!java.nio.file.Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) java.nio.file.Files.deleteIfExists(p);
        }
    }
}
