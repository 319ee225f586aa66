package org.initrdharness.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.initrdharness.vm.Accelerator;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.DiskFormat;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.FailurePattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What to boot and what counts as a good boot, shared by {@code boot} and {@code bisect}: the
 * machine (arch, kernel, disks, command line, memory) and the console's checks (--expect in
 * order, --fail, --respond, the default failure patterns). {@link #check()} refuses a bad
 * value before any QEMU starts.
 */
public final class BootOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--arch", required = true, description = "x86_64 or aarch64 (amd64, arm64)")
    String arch;

    @Option(names = "--kernel", required = true, description = "kernel image (bzImage, arm64 Image)")
    Path kernel;

    @Option(names = "--disk", paramLabel = "FILE[,serial=S][,format=raw|qcow2][,ro]",
            description = "a virtio disk, booted through an overlay (FILE is never written); serial disk0, disk1... by default")
    List<String> disks = new ArrayList<>();

    @Option(names = "--append", paramLabel = "ARGS",
            description = "added to the kernel command line after the defaults (console=ttyS0 panic=-1 no_timer_check on x86_64, console=ttyAMA0 panic=-1 kpti=0 on aarch64)")
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

    /** A prompt and its answer, from {@code --respond REGEX=TEXT}. */
    private record Response(Pattern prompt, String text) {}

    private final List<Pattern> expected = new ArrayList<>();
    private final List<Pattern> failing = new ArrayList<>();
    private final List<Response> responses = new ArrayList<>();

    /** A week: longer is a typo, and would overflow the deadline's arithmetic at the far end. */
    static final int MAX_TIMEOUT_SEC = 7 * 86400;

    /** Checks every value that needs no file: a typo costs no boot. */
    void check() {
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
        for (String a : append) {
            try {
                org.initrdharness.vm.KernelArgs.check(a);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--append " + e.getMessage());
            }
        }
        expected.clear();
        failing.clear();
        responses.clear();
        for (String e : expects) expected.add(regex("--expect", e));
        for (String f : fails) failing.add(regex("--fail", f));
        for (String r : responds) {
            int eq = r.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--respond '" + r + "' is not REGEX=TEXT (the first '='"
                        + " splits them; write '=' in REGEX as \\x3d)");
            }
            responses.add(new Response(regex("--respond", r.substring(0, eq)), r.substring(eq + 1)));
        }
    }

    /** The --expect patterns, in order (after {@link #check()}). */
    List<Pattern> expected() {
        return List.copyOf(expected);
    }

    /** The machine, its files checked: a missing one is refused naming it. */
    MachineSpec machineSpec(String name, Path initrd, Path artifacts) {
        MachineSpec.Builder b;
        try {
            b = MachineSpec.builder(Arch.parse(arch));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--arch: " + e.getMessage());
        }
        b.name(name).kernel(kernel).initrd(initrd).memoryMiB(memory).cpus(cpus).artifactDir(artifacts);
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

    /** Puts the --fail patterns, the allowances and the --respond answers on a started machine's console. */
    void arm(Console console) {
        for (Pattern f : failing) console.failOn(FailurePattern.of(f.pattern()));
        if (allowFailedUnits) console.allow(FailurePattern.UNIT_FAILED);
        if (allowEmergency) console.allow(FailurePattern.EMERGENCY_MODE);
        for (Response r : responses) console.respondSecret(r.prompt(), r.text());
    }

    /** The deadline for all --expect together, scaled for the machine's accelerator. */
    Deadline deadline(Machine m) {
        return m.timeouts().deadline(Duration.ofMillis((long) (timeout * 1000)));
    }

    /** The timeout as given, as far as a double keeps it (picocli parsed it already). */
    private String timeoutArg() {
        return timeout == Math.rint(timeout) && Double.isFinite(timeout) ? Long.toString((long) timeout) : Double.toString(timeout);
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
}
