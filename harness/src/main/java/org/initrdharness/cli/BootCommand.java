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
import java.util.regex.PatternSyntaxException;
import org.initrdharness.vm.Accelerator;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.DiskFormat;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import picocli.CommandLine.Command;
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

    @Option(names = "--arch", required = true, description = "x86_64 or aarch64 (amd64, arm64)")
    String arch;

    @Option(names = "--kernel", required = true, description = "kernel image (bzImage, arm64 Image)")
    Path kernel;

    @Option(names = "--initrd", description = "initrd (any: ours, dracut's, mkinitcpio's, NixOS's)")
    Path initrd;

    @Option(names = "--disk", paramLabel = "FILE[,serial=S][,format=raw|qcow2][,ro]",
            description = "a virtio disk, booted through an overlay (FILE is never written); serial disk0, disk1... by default")
    List<String> disks = new ArrayList<>();

    @Option(names = "--append", paramLabel = "ARGS",
            description = "added to the kernel command line after the defaults (console=ttyS0|ttyAMA0 panic=-1)")
    List<String> append = new ArrayList<>();

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "512", description = "guest memory in MiB (default ${DEFAULT-VALUE})")
    int memory;

    @Option(names = "--cpus", defaultValue = "1", description = "virtual CPUs (default ${DEFAULT-VALUE})")
    int cpus;

    @Option(names = "--expect", paramLabel = "REGEX", description = "console output to wait for, in order (found in a line or a prompt)")
    List<String> expects = new ArrayList<>();

    @Option(names = "--fail", paramLabel = "REGEX", description = "console output that fails the boot at once")
    List<String> fails = new ArrayList<>();

    @Option(names = "--respond", paramLabel = "REGEX=TEXT",
            description = "type TEXT and Enter once each time REGEX shows up on a new line (a passphrase prompt);"
                    + " TEXT is never logged. The first '=' splits: write '=' in REGEX as \\x3d")
    List<String> responds = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "deadline for all --expect together, written for TCG and scaled (default ${DEFAULT-VALUE})")
    double timeout;

    @Option(names = "--allow-failed-units", description = "a \"Failed to start\" unit does not fail the boot")
    boolean allowFailedUnits;

    @Option(names = "--allow-emergency", description = "an emergency shell does not fail the boot")
    boolean allowEmergency;

    @Option(names = "--accel", paramLabel = "kvm|tcg", description = "force an accelerator (default: KVM only if a probe boot works)")
    String accel;

    @Option(names = "--kernel-entry", paramLabel = "pvh|bzimage",
            description = "x86_64: enter the kernel through its PVH note (a vmlinux unpacked once from the bzImage and cached)"
                    + " or the bzImage protocol (default: pvh when the kernel has the note)")
    String kernelEntry;

    @Option(names = "--artifacts", paramLabel = "DIR", description = "where the console log, timeline and qemu.sh go (default: a new temporary directory)")
    Path artifacts;

    @Option(names = "--interactive", description = "after the --expect (or at once), connect this terminal to the console;"
            + " Ctrl-] or the end of input ends the boot")
    boolean interactive;

    @Option(names = "--quiet", description = "do not show the console while waiting")
    boolean quiet;

    /** A prompt and its answer, from {@code --respond REGEX=TEXT}. */
    private record Response(Pattern prompt, String text) {}

    @Override
    public Integer call() {
        // Every argument is checked before QEMU starts: a typo costs no boot.
        if (!Double.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_SEC) {
            throw new ParameterException(spec.commandLine(), "--timeout " + timeoutArg() + ": give seconds from more than 0 to "
                    + MAX_TIMEOUT_SEC);
        }
        if (memory < 16 || memory > 1 << 20) {
            throw new ParameterException(spec.commandLine(), "--memory " + memory + ": give MiB from 16 to " + (1 << 20));
        }
        if (cpus < 1 || cpus > 256) {
            throw new ParameterException(spec.commandLine(), "--cpus " + cpus + ": give 1 to 256");
        }
        List<Pattern> expected = new ArrayList<>();
        for (String e : expects) expected.add(regex("--expect", e));
        List<Pattern> failing = new ArrayList<>();
        for (String f : fails) failing.add(regex("--fail", f));
        List<Response> responses = new ArrayList<>();
        for (String r : responds) {
            int eq = r.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--respond '" + r + "' is not REGEX=TEXT (the first '='"
                        + " splits them; write '=' in REGEX as \\x3d)");
            }
            responses.add(new Response(regex("--respond", r.substring(0, eq)), r.substring(eq + 1)));
        }
        if (artifacts != null && artifacts.toString().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--artifacts is empty; give a directory (or leave it out"
                    + " for a new temporary one)");
        }
        if (artifacts != null && Files.exists(artifacts) && !Files.isDirectory(artifacts)) {
            throw new ParameterException(spec.commandLine(), "--artifacts " + artifacts + " is a file, not a directory");
        }
        MachineSpec machineSpec = machineSpec();
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
            for (Pattern f : failing) console.failOn(FailurePattern.of(f.pattern()));
            if (allowFailedUnits) console.allow(FailurePattern.UNIT_FAILED);
            if (allowEmergency) console.allow(FailurePattern.EMERGENCY_MODE);
            for (Response r : responses) console.respondSecret(r.prompt(), r.text());
            Deadline deadline = m.timeouts().deadline(Duration.ofMillis((long) (timeout * 1000)));
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

    /** A week: longer is a typo, and would overflow the deadline's arithmetic at the far end. */
    static final int MAX_TIMEOUT_SEC = 7 * 86400;

    /** The timeout as given, as far as a double keeps it (picocli parsed it already). */
    private String timeoutArg() {
        return timeout == Math.rint(timeout) && Double.isFinite(timeout) ? Long.toString((long) timeout) : Double.toString(timeout);
    }

    private MachineSpec machineSpec() {
        MachineSpec.Builder b;
        try {
            b = MachineSpec.builder(Arch.parse(arch));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--arch: " + e.getMessage());
        }
        b.name("boot").kernel(kernel).initrd(initrd).memoryMiB(memory).cpus(cpus).artifactDir(artifacts);
        for (String a : append) b.append(a);
        for (int i = 0; i < disks.size(); i++) b.disk(disk(disks.get(i), i));
        if (kernelEntry != null) {
            try {
                b.kernelEntry(KernelEntry.parse(kernelEntry));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--kernel-entry: " + e.getMessage());
            }
        }
        if (accel != null) {
            switch (accel.toLowerCase(Locale.ROOT)) {
                case "kvm" -> b.accelerator(Accelerator.KVM);
                case "tcg" -> b.accelerator(Accelerator.TCG);
                case "auto" -> { }
                default -> throw new ParameterException(spec.commandLine(), "--accel '" + accel + "': use kvm, tcg or auto");
            }
        }
        try {
            MachineSpec s = b.build();
            s.checkFiles();
            return s;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Disk disk(String arg, int n) {
        String[] parts = arg.split(",");
        if (parts.length == 0 || parts[0].isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--disk '" + arg + "' names no file; use"
                    + " FILE[,serial=S][,format=raw|qcow2][,ro]");
        }
        Path file = Path.of(parts[0]);
        String serial = "disk" + n;
        DiskFormat format = DiskFormat.guess(file);
        boolean ro = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("serial=")) serial = p.substring(7);
            else if (p.equals("format=raw")) format = DiskFormat.RAW;
            else if (p.equals("format=qcow2")) format = DiskFormat.QCOW2;
            else if (p.equals("ro")) ro = true;
            else throw new ParameterException(spec.commandLine(), "--disk '" + arg + "': unknown part '" + p
                    + "'; use FILE[,serial=S][,format=raw|qcow2][,ro]");
        }
        try {
            Disk d = new Disk(file, format, serial, false);
            return ro ? d.asReadOnly() : d;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--disk '" + arg + "': " + e.getMessage());
        }
    }

    private Pattern regex(String option, String text) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new ParameterException(spec.commandLine(), option + " '" + text + "' is not a regular expression: "
                    + e.getDescription());
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
