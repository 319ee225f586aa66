package org.initrdharness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.BreakShell;
import org.initrdharness.vm.Breakpoint;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.ConsoleMatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code initrd-harness boot}: boots any kernel and initrd and checks the console. */
@Command(name = "boot", mixinStandardHelpOptions = true,
        description = {"Boots a kernel and initrd in QEMU, waits for each --expect in order, and says why not.",
                "Exit status: 0 when every --expect matched, 1 when the boot failed (panic, timeout, guest exit,"
                        + " a --fail pattern, a failed unit, emergency mode), 3 when QEMU would not start.",
                "The console log, the timeline and qemu.sh (replays the boot on your terminal) stay in --artifacts."})
public final class BootCommand implements Callable<Integer>, CliCommand {

    @Spec
    CommandSpec spec;

    @Mixin
    BootOptions boot;

    @Option(names = "--initrd", description = "initrd (any: ours, dracut's, mkinitcpio's, NixOS's)")
    Path initrd;

    @Option(names = "--artifacts", paramLabel = "DIR", description = "where the console log, timeline and qemu.sh go (default: a new temporary directory)")
    Path artifacts;

    @Option(names = "--interactive", description = "after the --expect (or at once), connect this terminal to the console;"
            + " Ctrl-] or the end of input ends the boot")
    boolean interactive;

    @Option(names = "--quiet", description = "do not show the console while waiting")
    boolean quiet;

    @Option(names = "--break", paramLabel = "POINT",
            description = {"initrd, pre-mount or pre-switch-root: the harness's stage 1 stops there with a root shell on the"
                    + " second console (ttyS1; hvc0 on aarch64); each line on stdin runs there with its exit status,"
                    + " `continue` or the end of input goes on (with --interactive: the terminal is the shell).",
                    "on-failure: a failed boot keeps its guest running (any initrd) until Ctrl-C, Ctrl-] with --interactive,"
                    + " or QMP quit; the harness's stage 1 also opens a root shell on the second console in emergency."})
    String breakAt;

    @Override
    public Integer call() {
        // Every argument is checked before QEMU starts: a typo costs no boot.
        boot.check();
        List<Pattern> expected = boot.expected();
        if (artifacts != null && artifacts.toString().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--artifacts is empty; give a directory (or leave it out"
                    + " for a new temporary one)");
        }
        if (artifacts != null && Files.exists(artifacts) && !Files.isDirectory(artifacts)) {
            throw new ParameterException(spec.commandLine(), "--artifacts " + artifacts + " is a file, not a directory");
        }
        Breakpoint point = null;
        if (breakAt != null) {
            try {
                point = Breakpoint.parse(breakAt);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--break " + e.getMessage());
            }
        }
        MachineSpec machineSpec = boot.machineSpec("boot", initrd, artifacts);
        if (point != null) machineSpec = machineSpec.toBuilder().append(point.kernelArgument()).build();
        Machine m = new Machine(machineSpec);
        try {
            try {
                m.start();
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("boot: QEMU did not start: " + e.getMessage());
                return 3;
            }
            Console console = m.console();
            if (!quiet && !interactive) console.tap(System.out);
            boot.arm(console);
            Deadline deadline = boot.deadline(m);
            try {
                if (point != null && point != Breakpoint.ON_FAILURE) stopAt(m, point, deadline);
                for (Pattern p : expected) {
                    ConsoleMatch match = console.waitFor(p, deadline);
                    System.err.printf(Locale.ROOT, "%nboot: matched /%s/ at %.1f s%n", p, match.seconds());
                }
            } catch (BootFailure f) {
                System.err.println();
                System.err.println("boot: FAILED: " + f.getMessage());
                m.settleJournal(Duration.ofSeconds(3));
                m.saveJournal().filter(u -> !u.failed().isEmpty()).ifPresent(u -> System.err.println("boot: failed units (stage 1's journal): "
                        + String.join(" ", u.failed().stream().map(x -> x.name()).toList())));
                printWhere(m);
                if (point == Breakpoint.ON_FAILURE) hold(m);
                return 1;
            } catch (IOException e) {
                System.err.println("boot: stdin: " + e.getMessage());
                return 1;
            }
            if (interactive) interact(m);
            if (!expected.isEmpty()) System.err.println("boot: all " + expected.size() + " --expect matched");
            m.saveJournal();
            printWhere(m);
            return 0;
        } finally {
            if (terminal != null) terminal.close();
            m.close();
        }
    }

    private static void printWhere(Machine m) {
        System.err.println("boot: " + m.where() + " on " + m.accelerator() + " (" + m.acceleratorReason() + ")");
        System.err.println("boot: kernel entry " + m.kernelBoot().describe());
        for (String l : m.artifacts().describe().split("\n")) System.err.println("boot: " + l);
    }

    /** Waits for stage 1 to stop at {@code point}, then hands its shell to stdin's lines or the person. */
    private void stopAt(Machine m, Breakpoint point, Deadline deadline) throws IOException {
        BreakShell shell = m.breakShell(point, deadline);
        System.err.printf(Locale.ROOT, "%nboot: stage 1 stopped at %s at %.1f s: a root shell on %s%n", point.id(), shell.seconds(),
                m.spec().arch().secondConsole());
        if (!interactive) {
            BreakSession.drive(shell, System.in, System.out, System.err);
            return;
        }
        System.err.println("boot: this terminal is that shell; `continue` goes on with the boot, Ctrl-] ends it");
        Terminal t = terminal(m);
        t.attach(m.secondConsole());
        m.secondConsole().send("\r"); // the prompt was drawn before the terminal was attached: draw it again
        m.console().waitFor(Pattern.compile(Pattern.quote(point.continuesLine())),
                m.timeouts().deadline(Duration.ofSeconds(BootOptions.MAX_TIMEOUT_SEC)));
        t.attach(m.console());
        System.err.println();
        System.err.println("boot: stage 1 continues after " + point.id());
    }

    /** One for the whole boot: its thread reads stdin until the end. */
    private Terminal terminal;

    private Terminal terminal(Machine m) {
        if (terminal == null) terminal = new Terminal(m);
        return terminal;
    }

    /**
     * {@code --break on-failure}: the failed guest stays up until the person ends it (Ctrl-C ends
     * this JVM, whose hook kills QEMU; Ctrl-] with --interactive; QMP quit on its socket).
     */
    private void hold(Machine m) {
        System.err.println("boot: --break on-failure: the guest is kept running, QEMU pid " + m.pid().map(String::valueOf).orElse("?")
                + "; Ctrl-C ends it" + (interactive ? ", Ctrl-] too" : " (--interactive connects this terminal)"));
        System.err.println("boot: the harness's stage 1 has a root shell on " + m.spec().arch().secondConsole()
                + " in emergency mode; the first console is " + m.spec().arch().console());
        if (interactive) {
            interact(m);
        } else {
            m.awaitExit(Duration.ofSeconds(BootOptions.MAX_TIMEOUT_SEC));
        }
    }

    /** The terminal in raw mode on the first console, until Ctrl-] or the guest's end. */
    private void interact(Machine m) {
        Console console = m.console();
        System.err.println("\nboot: connected to the " + m.where() + " console; Ctrl-] ends the boot");
        console.untap(System.out);
        terminal(m).attach(console);
        console.awaitEnd(Duration.ofDays(365));
        m.awaitExit(Duration.ofSeconds(10));
        terminal.close();
        System.err.println("\nboot: console closed (" + (m.exitStatus().isPresent() ? "QEMU status " + m.exitStatus().getAsInt() : "") + ")");
    }
}
