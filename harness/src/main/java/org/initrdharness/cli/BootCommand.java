package org.initrdharness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.initrdharness.vm.BootFailure;
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
        MachineSpec machineSpec = boot.machineSpec("boot", initrd, artifacts);
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
                for (Pattern p : expected) {
                    ConsoleMatch match = console.waitFor(p, deadline);
                    System.err.printf(Locale.ROOT, "%nboot: matched /%s/ at %.1f s%n", p, match.seconds());
                }
            } catch (BootFailure f) {
                System.err.println();
                System.err.println("boot: FAILED: " + f.getMessage());
                printWhere(m);
                return 1;
            }
            if (interactive) interact(m);
            if (!expected.isEmpty()) System.err.println("boot: all " + expected.size() + " --expect matched");
            printWhere(m);
            return 0;
        } finally {
            m.close();
        }
    }

    private static void printWhere(Machine m) {
        System.err.println("boot: " + m.where() + " on " + m.accelerator() + " (" + m.acceleratorReason() + ")");
        System.err.println("boot: kernel entry " + m.kernelBoot().describe());
        for (String l : m.artifacts().describe().split("\n")) System.err.println("boot: " + l);
    }

    /** The terminal in raw mode, bytes both ways, until Ctrl-] or the guest's end. */
    private static void interact(Machine m) {
        Console console = m.console();
        System.err.println("\nboot: connected to the " + m.where() + " console; Ctrl-] ends the boot");
        boolean raw = stty("raw", "-echo");
        console.tap(System.out);
        Thread pump = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == 0x1d) { // Ctrl-]
                            if (i > 0) console.sendBytes(java.util.Arrays.copyOf(buf, i));
                            m.kill();
                            return;
                        }
                    }
                    console.sendBytes(java.util.Arrays.copyOf(buf, n));
                }
                m.kill(); // end of input: nobody is left to type
            } catch (IOException e) {
                // the console closed
            }
        }, "terminal-input");
        pump.setDaemon(true);
        pump.start();
        console.awaitEnd(Duration.ofDays(365));
        m.awaitExit(Duration.ofSeconds(10));
        if (raw) stty("sane");
        System.err.println("\nboot: console closed (" + (m.exitStatus().isPresent() ? "QEMU status " + m.exitStatus().getAsInt() : "") + ")");
    }

    private static boolean stty(String... args) {
        if (System.console() == null) return false;
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) { // every host tool has a deadline
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
