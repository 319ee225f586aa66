package org.initrdharness.report.milestones;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.initrdharness.files.AtomicFiles;

/**
 * How long the guest's virtual CPUs had waited for a host CPU at moments of a boot: the run-queue
 * wait of QEMU's vCPU threads (Linux schedstat), sampled while the guest ran. Under TCG a boot
 * on a loaded host comes late mostly by this wait. Subtracting it from a milestone's time gives
 * the boot's own time, which compares across runs on a shared machine where the wall time does not.
 *
 * <p>The whole wait counts, also while the guest sleeps (it still wakes for timer ticks, and each
 * wake-up waits on a loaded host): counting only the share of each interval the vCPU wanted a CPU
 * separated unchanged from slowed boots less well in the measurements the README gives.
 *
 * @param samples the readings, in time order
 */
public record HostWait(List<Sample> samples) {
    public static final String FILE = "host-wait.tsv";

    /**
     * One reading, seconds since QEMU started: the vCPU's run-queue wait and run time by then
     * (run time NaN where it was not read), kept as evidence.
     */
    public record Sample(double seconds, double waited, double ran) {
        public Sample(double seconds, double waited) {
            this(seconds, waited, Double.NaN);
        }
    }

    public HostWait {
        samples = List.copyOf(samples);
    }

    public boolean isEmpty() {
        return samples.isEmpty();
    }

    /**
     * Seconds waited by {@code t}, interpolated between the samples around it; null when the
     * samples do not cover {@code t} (the sampler started later or stopped before).
     */
    public Double at(double t) {
        if (samples.isEmpty() || t < samples.get(0).seconds() - 0.5 || t > samples.get(samples.size() - 1).seconds() + 0.5) {
            return null;
        }
        Sample before = samples.get(0);
        for (Sample s : samples) {
            if (s.seconds() >= t) {
                if (s.seconds() == before.seconds()) return s.waited();
                double f = (t - before.seconds()) / (s.seconds() - before.seconds());
                return before.waited() + Math.max(0, Math.min(1, f)) * (s.waited() - before.waited());
            }
            before = s;
        }
        return before.waited();
    }

    /** Writes {@value #FILE} in {@code dir}: "seconds waited" a line (temp file, then rename). */
    public void write(Path dir) throws IOException {
        StringBuilder b = new StringBuilder("# seconds since QEMU started, seconds the vCPU waited for a host CPU, seconds it ran\n");
        for (Sample s : samples) b.append(String.format(Locale.ROOT, "%.3f\t%.3f\t%.3f%n", s.seconds(), s.waited(), s.ran()));
        AtomicFiles.write(dir.resolve(FILE).toAbsolutePath(), b.toString());
    }

    /** The samples written in {@code dir}, or none when there is no such file or it does not read. */
    public static HostWait read(Path dir) {
        Path f = dir.resolve(FILE);
        List<Sample> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) return new HostWait(out);
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] p = line.trim().split("\\s+");
                out.add(new Sample(Double.parseDouble(p[0]), Double.parseDouble(p[1]),
                        p.length > 2 ? Double.parseDouble(p[2]) : Double.NaN));
            }
        } catch (IOException | RuntimeException e) {
            return new HostWait(List.of());
        }
        return new HostWait(out);
    }
}
