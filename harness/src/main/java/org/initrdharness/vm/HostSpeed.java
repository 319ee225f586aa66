package org.initrdharness.vm;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.vm.console.FailurePattern;

/**
 * How fast this host runs TCG guests, measured instead of guessed: one boot per arch of the
 * guest's kernel alone (no initrd) to its panic for want of a root file system, timed from QEMU's
 * start and compared with the same boot on the machine the deadlines were written for. The ratio
 * scales every TCG deadline (see {@link Timeouts}); the factor is kept per JVM, and per host boot
 * on disk beside the KVM probe's verdict. {@value Timeouts#ENV} still overrides it.
 */
public final class HostSpeed {

    /**
     * The calibration boot on the machine the deadlines were written for (2 cores, TCG), in
     * seconds, with the Debian bookworm and trixie kernels of the images: x86_64 took 2.9 to 4.0 s,
     * aarch64 1.8 to 2.5 s there at a load average of 6; the fast end is the reference.
     */
    static final Map<Arch, Double> REFERENCE = Map.of(Arch.X86_64, 3.0, Arch.AARCH64, 2.0);
    /** Calibration boots per arch; the fastest counts, so that a burst of load does not stretch every deadline. */
    static final int BOOTS = 2;
    /**
     * The factor is kept within these: a probe disturbed by a burst of load must not set absurd
     * deadlines, and a fast probe never shortens the written ones: one quiet kernel boot says
     * nothing of two guests at once or of a burst of load later in the run.
     */
    static final double MIN = 1.0;
    static final double MAX = 8.0;
    static final String PROBE_NAME = "host-speed";
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(120);
    private static final System.Logger LOG = System.getLogger(HostSpeed.class.getName());
    private static final Map<Arch, Calibration> MEASURED = new ConcurrentHashMap<>();

    /**
     * One arch's calibration.
     *
     * @param arch      the guest arch
     * @param seconds   the calibration boot here
     * @param reference the same boot on the reference machine
     * @param factor    what TCG deadlines are multiplied by ({@code seconds / reference}, within bounds)
     * @param source    how it was found: "measured", "cached since this host booted", or why none
     */
    public record Calibration(Arch arch, double seconds, double reference, double factor, String source) {
        public String describe() {
            return String.format(Locale.ROOT, "%s x%.2f (calibration boot %.1f s, reference %.1f s, %s)", arch, factor,
                    seconds, reference, source);
        }

        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", Math.round(seconds * 100) / 100.0);
            m.put("reference", reference);
            m.put("factor", Math.round(factor * 100) / 100.0);
            m.put("source", source);
            return m;
        }
    }

    private HostSpeed() {}

    /** The TCG deadline factor for {@code spec}'s arch: measured once with its kernel, then kept. */
    static double factor(MachineSpec spec) {
        if (PROBE_NAME.equals(spec.name())) return 1.0;
        return MEASURED.computeIfAbsent(spec.arch(), a -> calibrate(a, spec.kernel())).factor();
    }

    /** The calibrations made in this JVM, by arch. */
    public static Map<String, Calibration> calibrations() {
        Map<String, Calibration> out = new TreeMap<>();
        MEASURED.forEach((a, c) -> out.put(a.id(), c));
        return out;
    }

    /**
     * What scales this run's deadlines, for the report: the override when set, else each arch's
     * calibration ("x86_64 x1.20 (calibration boot 3.6 s, ...)"); "" when no TCG guest booted.
     */
    public static String summary() {
        if (Timeouts.overridden()) {
            return "deadlines x" + Timeouts.override() + ", set by " + Timeouts.ENV + " or " + Timeouts.PROPERTY
                    + " (the host speed is not measured)";
        }
        return String.join("; ", calibrations().values().stream().map(Calibration::describe).toList());
    }

    /** The same for --json: "override" or each arch's calibration. */
    public static Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (Timeouts.overridden()) {
            m.put("override", Timeouts.override());
        } else {
            calibrations().forEach((a, c) -> m.put(a, c.toJson()));
        }
        return m;
    }

    private static Calibration calibrate(Arch arch, Path kernel) {
        Path cache = cacheFile(arch);
        if (cache != null && Files.isRegularFile(cache)) {
            try {
                double seconds = Double.parseDouble(Files.readString(cache).strip());
                return of(arch, seconds, "cached since this host booted: " + cache);
            } catch (IOException | RuntimeException e) {
                // measure again
            }
        }
        Calibration c;
        try {
            double seconds = Double.MAX_VALUE;
            for (int i = 0; i < BOOTS; i++) seconds = Math.min(seconds, measure(arch, kernel));
            c = of(arch, seconds, "measured");
            if (cache != null) AtomicFiles.write(cache, String.format(Locale.ROOT, "%.3f%n", seconds));
        } catch (IOException | RuntimeException e) {
            // Without a measurement the deadlines stay as written.
            c = new Calibration(arch, 0, REFERENCE.get(arch), 1.0, "not measured: " + e.getMessage());
        }
        LOG.log(Level.INFO, "host speed: {0}", c.describe());
        return c;
    }

    static Calibration of(Arch arch, double seconds, String source) {
        double ref = REFERENCE.get(arch);
        double f = Math.min(MAX, Math.max(MIN, seconds / ref));
        return new Calibration(arch, seconds, ref, f, source);
    }

    /** Boots {@code kernel} alone under TCG and times it to the panic for want of a root. */
    static double measure(Arch arch, Path kernel) throws IOException {
        MachineSpec probe = MachineSpec.builder(arch).name(PROBE_NAME).kernel(kernel).memoryMiB(256)
                .accelerator(Accelerator.TCG).hotplugSlots(0).build();
        long t0 = System.nanoTime();
        try (Machine m = new Machine(probe)) {
            m.start();
            m.console().allow(FailurePattern.KERNEL_PANIC);
            m.console().waitFor(Pattern.compile("Kernel panic"), PROBE_DEADLINE);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    static Path cacheFile(Arch arch) {
        try {
            String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            return CacheDirectory.root().resolve("host-speed").resolve(arch.id() + "-" + bootId);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
