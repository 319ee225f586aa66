package org.initrdharness.images.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.initrdharness.host.HostCommand;

/** What the benchmark needs of the host: timing a builder with GNU time, and installing what is missing. */
public final class HostTools {
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    private HostTools() {}

    /** Wall time, CPU time and peak memory of one child process, as GNU time reports them. */
    public record Measurement(double wallSeconds, double userSeconds, double systemSeconds, long peakRssKib) {
        public double cpuSeconds() {
            return userSeconds + systemSeconds;
        }
    }

    /** {@code command} in {@code dir} (null: here), as apt and dracut are run unattended. */
    public static HostCommand command(Path dir, Duration deadline, List<String> command) {
        return HostCommand.of(deadline, command).in(dir).env("DEBIAN_FRONTEND", "noninteractive");
    }

    /**
     * Runs {@code command} under GNU time and returns what it measured. The command's output goes
     * to {@code log}; a non-zero exit is an error naming the log.
     */
    public static Measurement measure(Path dir, Duration limit, List<String> command, Path log) throws IOException {
        Path report = Files.createTempFile("gnu-time", ".txt");
        try {
            List<String> timed = new ArrayList<>(List.of(GNU_TIME.toString(), "-o", report.toString(),
                    "-f", "%e %U %S %M"));
            timed.addAll(command);
            HostCommand.Result r = command(dir, limit, timed).run();
            Files.write(log, r.output());
            if (!r.ok()) {
                throw new IOException(String.join(" ", command) + " exited " + r.exit() + "; its output is in " + log
                        + ":\n" + r.tail());
            }
            List<String> lines = Files.readAllLines(report);
            String[] f = lines.get(lines.size() - 1).trim().split("\\s+");
            return new Measurement(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Long.parseLong(f[3]));
        } finally {
            Files.deleteIfExists(report);
        }
    }

    /** True when {@code tool} is an executable on PATH. */
    public static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    /**
     * {@code apt-get install -y PACKAGES}, waiting for the dpkg lock when another apt holds it
     * (up to ten minutes), and {@code apt-get update} once if a package is unknown.
     */
    public static void aptInstall(List<String> packages, Consumer<String> progress) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("apt-get", "install", "-y", "-q"));
        cmd.addAll(packages);
        boolean updated = false;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            HostCommand.Result r = command(null, Duration.ofMinutes(10), cmd).run();
            if (r.ok()) return;
            String out = r.text();
            boolean locked = out.contains("Could not get lock") || out.contains("dpkg frontend lock")
                    || out.contains("is held by process");
            if (locked && System.nanoTime() < deadline) {
                progress.accept("apt is busy (dpkg lock held by another process); waiting 10 s");
                sleep(10);
            } else if (!updated && out.contains("Unable to locate package")) {
                progress.accept("apt-get update");
                command(null, Duration.ofMinutes(10), List.of("apt-get", "update", "-q")).check();
                updated = true;
            } else {
                throw new IOException("apt-get install " + String.join(" ", packages) + " failed (exit " + r.exit()
                        + "); run it by hand as root to see why:\n" + r.tail());
            }
        }
    }

    /** GNU time, needed for CPU time and peak memory of a child; installed when missing. */
    public static void ensureGnuTime(Consumer<String> progress) throws IOException {
        if (!Files.isExecutable(GNU_TIME)) {
            progress.accept("installing GNU time");
            aptInstall(List.of("time"), progress);
        }
    }

    private static void sleep(int seconds) throws IOException {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
