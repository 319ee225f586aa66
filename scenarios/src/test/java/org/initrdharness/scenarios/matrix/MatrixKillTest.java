package org.initrdharness.scenarios.matrix;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.initrdharness.host.HostCommand;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * A matrix run killed while it builds images or boots (SIGTERM, SIGINT, SIGKILL) leaves no QEMU
 * and no host tool behind, and the next run on the same image cache passes: no stale lock, no
 * half-written entry in its way. Two runs at once on one cache both pass.
 */
public class MatrixKillTest {
    private static final Duration TO_FIRST_GUEST = Duration.ofMinutes(10); // may build images first
    private static final Duration TO_EXIT = Duration.ofSeconds(60);
    private static final Duration TO_GONE = Duration.ofSeconds(20);

    @DataProvider(name = "signals")
    public static Object[][] signals() {
        return new Object[][] {{"TERM"}, {"INT"}, {"KILL"}};
    }

    private static Process matrix(Path reportDir) throws IOException {
        return matrix(reportDir, null);
    }

    /** A smoke run on bookworm/x86_64; {@code cache}, when given, is its image cache. */
    private static Process matrix(Path reportDir, Path cache) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // env resets SIGINT, which a shell without job control (as CI starts Maven) leaves ignored
        // for its background jobs and their children: a terminal's Ctrl-C meets the default.
        ProcessBuilder pb = new ProcessBuilder(List.of("env", "--default-signal=INT", java, "-cp", System.getProperty("java.class.path"), "org.initrdharness.cli.Main",
                "matrix", "--suite", "smoke", "--release", "bookworm", "--arch", "x86_64", "--parallel", "1",
                "--report-dir", reportDir.toString()))
                .redirectErrorStream(true).redirectOutput(reportDir.resolveSibling(reportDir.getFileName() + ".log").toFile());
        if (cache != null) pb.environment().put("INITRD_HARNESS_CACHE", cache.toString());
        return pb.start();
    }

    /** The host tools (apt-get, dpkg-deb, mkfs...) a run has started: its descendants that are not its wrappers. */
    private static List<ProcessHandle> toolsOf(Process run) {
        return run.descendants().filter(p -> {
            String cmd = p.info().command().orElse("");
            return !cmd.endsWith("/sh") && !cmd.endsWith("/dash") && !cmd.endsWith("/sleep") && !cmd.contains("qemu-system")
                    && !cmd.isEmpty();
        }).toList();
    }

    /** QEMU processes of this report directory (their sockets and logs live under it). */
    private static List<ProcessHandle> guestsOf(Path reportDir) {
        String dir = reportDir.toString();
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains("qemu-system") && cmd.contains(dir)) found.add(p);
        });
        return found;
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration deadline) throws InterruptedException {
        long until = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < until) {
            if (condition.getAsBoolean()) return true;
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    @Test(dataProvider = "signals")
    public void aMatrixKilledWhileItBootsLeavesNoGuest(String signal) throws Exception {
        Path reportDir = Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath()).resolve("sig" + signal);
        Process run = matrix(reportDir);
        try {
            assertTrue(waitFor(() -> !guestsOf(reportDir).isEmpty() || !run.isAlive(), TO_FIRST_GUEST),
                    "no guest started within " + TO_FIRST_GUEST);
            assertTrue(run.isAlive(), "the matrix ended before it was killed: see " + reportDir + ".log");
            // The shell's own kill: a minimal Debian root has no /bin/kill (procps).
            HostCommand.of(Duration.ofSeconds(10), List.of("sh", "-c", "kill -s " + signal + " " + run.pid())).check();
            assertTrue(run.waitFor(TO_EXIT.toSeconds(), TimeUnit.SECONDS), "the matrix did not end after SIG" + signal);
            long t0 = System.nanoTime();
            assertTrue(waitFor(() -> guestsOf(reportDir).isEmpty(), TO_GONE),
                    "QEMU left running after SIG" + signal + ": " + guestsOf(reportDir).stream().map(ProcessHandle::pid).toList());
            System.out.printf(Locale.ROOT, "SIG%s: matrix exited %d, its guest gone %.2f s later%n", signal, run.exitValue(),
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            run.destroyForcibly();
            guestsOf(reportDir).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** An image cache of these tests' own, empty at first, so that a run has images to build. */
    private static Path buildCache() throws IOException {
        return Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath()).resolve("build-cache");
    }

    /**
     * Each signal at another point of the build, found by the run's own progress lines rather
     * than by seconds (a fast machine builds its images in less time than any guess): at the first
     * tool (apt-get fetching lists), while apt resolves, while packages download.
     */
    @DataProvider(name = "signalsDuringBuild")
    public static Object[][] signalsDuringBuild() {
        return new Object[][] {{"TERM", ""}, {"INT", "images: resolve "}, {"KILL", "] download "}};
    }

    @BeforeClass
    public void emptyTheBuildCache() throws IOException {
        Path cache = buildCache();
        if (!Files.exists(cache)) return;
        try (var s = Files.walk(cache)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test(dataProvider = "signalsDuringBuild")
    public void aMatrixKilledWhileItBuildsImagesLeavesNoToolAndNoHalfEntry(String signal, String progress) throws Exception {
        Path reportDir = Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath()).resolve("build-sig" + signal);
        Path cache = buildCache();
        Process run = matrix(reportDir, cache);
        List<ProcessHandle> tools = new ArrayList<>();
        try {
            assertTrue(waitFor(() -> !toolsOf(run).isEmpty() || !run.isAlive(), TO_FIRST_GUEST),
                    "no host tool started within " + TO_FIRST_GUEST);
            Path log = reportDir.resolveSibling(reportDir.getFileName() + ".log");
            assertTrue(waitFor(() -> logSays(log, progress) || !run.isAlive(), TO_FIRST_GUEST),
                    "the run never said '" + progress + "': see " + log);
            // Then the next moment a tool runs: the signal must catch one.
            assertTrue(waitFor(() -> !toolsOf(run).isEmpty() || !run.isAlive(), TO_FIRST_GUEST),
                    "no host tool ran after '" + progress + "'");
            assertTrue(run.isAlive(), "the matrix ended before it was killed: see " + log);
            assertTrue(guestsOf(reportDir).isEmpty(), "a guest started already: the images were built before '" + progress + "'");
            tools.addAll(run.descendants().toList());
            String names = toolsOf(run).stream().map(p -> p.info().command().orElse("?")).distinct().toList().toString();
            HostCommand.of(Duration.ofSeconds(10), List.of("sh", "-c", "kill -s " + signal + " " + run.pid())).check();
            assertTrue(run.waitFor(TO_EXIT.toSeconds(), TimeUnit.SECONDS), "the matrix did not end after SIG" + signal);
            long t0 = System.nanoTime();
            assertTrue(waitFor(() -> tools.stream().noneMatch(ProcessHandle::isAlive), TO_GONE), "after SIG" + signal
                    + " still running: " + tools.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " "
                    + p.info().commandLine().orElse("?")).toList());
            System.out.printf(Locale.ROOT, "SIG%s after '%s' in the image build (%s running): matrix exited %d, its %d child"
                    + " processes gone %.2f s later%n", signal, progress, names, run.exitValue(), tools.size(), (System.nanoTime() - t0) / 1e9);
            assertEveryEntryComplete(cache);
        } finally {
            run.destroyForcibly();
            tools.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean logSays(Path log, String progress) {
        try {
            return Files.exists(log) && Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1).contains(progress);
        } catch (IOException e) {
            return false;
        }
    }

    /** Only finished entries are in the cache: each has its completion marker. */
    private static void assertEveryEntryComplete(Path cache) throws IOException {
        Path entries = cache.resolve("entries");
        if (!Files.isDirectory(entries)) return;
        try (var s = Files.list(entries)) {
            for (Path e : s.toList()) {
                assertTrue(Files.isRegularFile(e.resolve("complete")), "an entry without its completion marker: " + e);
            }
        }
    }

    @Test(dependsOnMethods = "aMatrixKilledWhileItBuildsImagesLeavesNoToolAndNoHalfEntry", alwaysRun = true)
    public void theNextRunOnTheKilledBuildsCachePasses() throws Exception {
        Path reportDir = Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath()).resolve("build-after");
        Process run = matrix(reportDir, buildCache());
        try {
            assertTrue(run.waitFor(20, TimeUnit.MINUTES), "the run after the killed builds did not finish");
            assertEquals(run.exitValue(), 0, "the run after the killed builds: see " + reportDir + ".log");
            assertEveryEntryComplete(buildCache());
        } finally {
            run.destroyForcibly();
            guestsOf(reportDir).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test(dependsOnMethods = "aMatrixKilledWhileItBootsLeavesNoGuest", alwaysRun = true)
    public void theNextRunOnTheSameCachePasses() throws Exception {
        Path reportDir = Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath()).resolve("after");
        Process run = matrix(reportDir);
        try {
            assertTrue(run.waitFor(15, TimeUnit.MINUTES), "the run after the kills did not finish");
            assertEquals(run.exitValue(), 0, "the run after the kills: see " + reportDir + ".log");
        } finally {
            run.destroyForcibly();
            guestsOf(reportDir).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test(dependsOnMethods = "theNextRunOnTheSameCachePasses", alwaysRun = true)
    public void twoRunsAtOnceOnOneCacheBothPass() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "kill-tests").toAbsolutePath());
        Process a = matrix(base.resolve("together-a"));
        Process b = matrix(base.resolve("together-b"));
        try {
            assertTrue(a.waitFor(15, TimeUnit.MINUTES) && b.waitFor(15, TimeUnit.MINUTES), "two runs at once did not finish");
            assertEquals(a.exitValue(), 0, "the first of two runs at once: see " + base.resolve("together-a.log"));
            assertEquals(b.exitValue(), 0, "the second of two runs at once: see " + base.resolve("together-b.log"));
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }
}
