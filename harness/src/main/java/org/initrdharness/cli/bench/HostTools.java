package org.initrdharness.cli.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Host commands for the benchmark: each with a deadline, its output kept for the error message. */
public final class HostTools {
    private static final Path GNU_TIME = Path.of("/usr/bin/time");

    private HostTools() {}

    /** What a command printed and how it ended. */
    public record Result(int exit, String output) {}

    /** Wall time, CPU time and peak memory of one child process, as GNU time reports them. */
    public record Measurement(double wallSeconds, double userSeconds, double systemSeconds, long peakRssKib) {
        public double cpuSeconds() {
            return userSeconds + systemSeconds;
        }
    }

    /** Runs {@code command} in {@code dir} (null: here), stdout and stderr together, killed after {@code limit}. */
    public static Result run(Path dir, Duration limit, List<String> command) throws IOException {
        File log = File.createTempFile("host-tool", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            try {
                if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new IOException(String.join(" ", command) + " did not finish within " + limit.toSeconds()
                            + " s; last output:\n" + tail(Files.readString(log.toPath(), StandardCharsets.UTF_8)));
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            return new Result(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
        } finally {
            log.delete();
        }
    }

    /** Like {@link #run} but a non-zero exit is an error showing the command's last lines. */
    public static String ok(Path dir, Duration limit, List<String> command) throws IOException {
        Result r = run(dir, limit, command);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exit() + ":\n" + tail(r.output()));
        }
        return r.output();
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
            Result r = run(dir, limit, timed);
            Files.writeString(log, r.output());
            if (r.exit() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + r.exit() + "; its output is in " + log
                        + ":\n" + tail(r.output()));
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
            Result r = run(null, Duration.ofMinutes(10), cmd);
            if (r.exit() == 0) return;
            boolean locked = r.output().contains("Could not get lock") || r.output().contains("dpkg frontend lock")
                    || r.output().contains("is held by process");
            if (locked && System.nanoTime() < deadline) {
                progress.accept("apt is busy (dpkg lock held by another process); waiting 10 s");
                sleep(10);
            } else if (!updated && r.output().contains("Unable to locate package")) {
                progress.accept("apt-get update");
                ok(null, Duration.ofMinutes(10), List.of("apt-get", "update", "-q"));
                updated = true;
            } else {
                throw new IOException("apt-get install " + String.join(" ", packages) + " failed (exit " + r.exit()
                        + "); run it by hand as root to see why:\n" + tail(r.output()));
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

    static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
