package org.initrdharness.host;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;

public class HostCommandTest {

    @Test
    public void aCommandPastItsDeadlineIsKilledWithTheProcessesItStarted() throws Exception {
        Path dir = Files.createTempDirectory("host-command");
        Path pid = dir.resolve("sleeper.pid");
        long t0 = System.nanoTime();
        // 4 s: enough for the shell to start and speak under load, far short of the sleep.
        HostCommandException e = expectThrows(HostCommandException.class, () -> HostCommand.of(Duration.ofSeconds(4),
                "sh", "-c", "echo started; sleep 60 & echo $! > " + pid + "; wait").run());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 20, "returned after " + seconds + " s");
        assertTrue(e.timedOut());
        assertEquals(e.exit(), HostCommandException.KILLED);
        assertTrue(e.getMessage().startsWith("sh -c echo started; sleep 60"), e.getMessage());
        assertTrue(e.getMessage().contains("did not finish within 4 s and was killed"), e.getMessage());
        assertTrue(e.getMessage().endsWith("last output:\nstarted"), e.getMessage());
        long sleeper = Long.parseLong(Files.readString(pid).trim());
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (running(sleeper) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertFalse(running(sleeper), "sleep " + sleeper + " still runs");
        Files.delete(pid);
        Files.delete(dir);
    }

    @Test(dataProvider = "signals")
    public void aToolAndWhatItStartedDieWithTheirJvm(String signal) throws Exception {
        Path dir = Files.createTempDirectory("host-command-jvm");
        Path pids = dir.resolve("pids");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // env resets SIGINT: a background job of a shell without job control (as CI starts Maven)
        // inherits it ignored, and a JVM leaves an ignored SIGINT ignored. A terminal's Ctrl-C
        // reaches a JVM whose SIGINT is the default.
        Process jvm = new ProcessBuilder("env", "--default-signal=INT", javaBin, "-cp", System.getProperty("java.class.path"),
                HostCommandHolder.class.getName(), pids.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("jvm.log").toFile()).start();
        try {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(pids) && jvm.isAlive() && System.nanoTime() < until) Thread.sleep(50);
            assertTrue(Files.exists(pids), "the tool did not start: " + Files.readString(dir.resolve("jvm.log")));
            List<Long> tool = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();
            // The shell's own kill: a minimal Debian root has no /bin/kill.
            HostCommand.of(Duration.ofSeconds(10), "sh", "-c", "kill -s " + signal + " " + jvm.pid()).check();
            assertTrue(jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the JVM did not end after SIG" + signal);
            long t0 = System.nanoTime();
            until = t0 + Duration.ofSeconds(15).toNanos();
            while (tool.stream().anyMatch(HostCommandTest::alive) && System.nanoTime() < until) Thread.sleep(50);
            assertFalse(tool.stream().anyMatch(HostCommandTest::alive), "after SIG" + signal + " of its JVM, still running: "
                    + tool.stream().filter(HostCommandTest::alive).toList());
            System.out.printf(java.util.Locale.ROOT, "SIG%s: the tool's processes gone %.2f s after their JVM%n", signal,
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            jvm.destroyForcibly();
        }
    }

    @org.testng.annotations.DataProvider(name = "signals")
    public static Object[][] signals() {
        return new Object[][] {{"TERM"}, {"INT"}, {"KILL"}};
    }

    @Test
    public void aMissingToolIsAnIOExceptionNamingIt() {
        java.io.IOException e = expectThrows(java.io.IOException.class,
                () -> HostCommand.of(Duration.ofSeconds(5), "no-such-tool-here", "x").run());
        assertTrue(e.getMessage().contains("no-such-tool-here"), e.getMessage());
    }

    @Test
    public void aFailingCommandNamesItsExitStatusAndTheTailOfItsOutput() {
        HostCommandException e = expectThrows(HostCommandException.class, () -> HostCommand.of(Duration.ofSeconds(30),
                "sh", "-c", "i=1; while [ $i -le 40 ]; do echo line$i; i=$((i+1)); done; echo oops >&2; exit 3").check());
        assertEquals(e.exit(), 3);
        assertFalse(e.timedOut());
        String m = e.getMessage();
        assertTrue(m.startsWith("sh -c i=1;"), m);
        assertTrue(m.contains(" exited with status 3; last output:\n"), m);
        assertTrue(m.endsWith("line40\noops"), m);
        assertTrue(m.contains("\nline27\n"), m);
        assertFalse(m.contains("line26"), "only the last " + HostCommand.TAIL_LINES + " lines: " + m);
        assertEquals(e.tail().lines().count(), HostCommand.TAIL_LINES);
    }

    @Test
    public void aNonZeroExitIsReturnedByRun() throws Exception {
        HostCommand.Result r = HostCommand.of(Duration.ofSeconds(30), "sh", "-c", "echo no; exit 4").run();
        assertEquals(r.exit(), 4);
        assertFalse(r.ok());
        assertEquals(r.text(), "no\n");
    }

    @Test
    public void aDeadlineIsRequired() {
        assertThrows(NullPointerException.class, () -> HostCommand.of(null, "true"));
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of(Duration.ZERO, "true"));
        assertThrows(IllegalArgumentException.class, () -> HostCommand.of(Duration.ofSeconds(-1), "true"));
    }

    @Test
    public void inputDirectoryEnvironmentAndLinesReachTheCommand() throws Exception {
        Path dir = Files.createTempDirectory("host-command");
        List<String> seen = new ArrayList<>();
        HostCommand.Result r = HostCommand.of(Duration.ofSeconds(30), "sh", "-c", "pwd; echo $GREETING; cat; printf last")
                .in(dir).env("GREETING", "hello").input("from stdin\n".getBytes(StandardCharsets.UTF_8))
                .onLine(seen::add).check();
        List<String> want = List.of(dir.toRealPath().toString(), "hello", "from stdin", "last");
        assertEquals(r.lines(), want);
        assertEquals(seen, want);
        Files.delete(dir);
    }

    @Test
    public void withoutInputTheCommandReadsEndOfFile() throws Exception {
        assertEquals(HostCommand.of(Duration.ofSeconds(30), "sh", "-c", "cat; echo done").check().text(), "done\n");
    }

    @Test
    public void errorsKeptApartStayOutOfTheData() throws Exception {
        Path file = Files.createTempFile("host-command", ".bin");
        Files.write(file, new byte[] {0, (byte) 0xff, 10, (byte) 0x80});
        HostCommand.Result r = HostCommand.of(Duration.ofSeconds(30), "sh", "-c", "cat; echo warning >&2")
                .input(file).separateErrors().check();
        assertEquals(r.output(), new byte[] {0, (byte) 0xff, 10, (byte) 0x80});
        assertEquals(r.errorText(), "warning\n");
        assertEquals(r.tail(), "warning");
        Files.delete(file);
    }

    @Test
    public void aMissingProgramIsAnIoError() {
        java.io.IOException e = expectThrows(java.io.IOException.class,
                () -> HostCommand.of(Duration.ofSeconds(5), "no-such-tool-here", "x").run());
        assertTrue(e.getMessage().contains("no-such-tool-here"), e.getMessage());
    }

    @Test
    public void aVeryLongCommandIsShortenedInTheMessage() {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exit 1", "sh"));
        for (int i = 0; i < 200; i++) cmd.add("package-" + i);
        HostCommandException e = expectThrows(HostCommandException.class,
                () -> HostCommand.of(Duration.ofSeconds(30), cmd).check());
        assertTrue(e.getMessage().contains(" ... exited with status 1 (no output)"), e.getMessage());
        assertEquals(e.command(), cmd);
    }

    /**
     * Whether {@code pid} runs: a killed orphan stays a zombie until an init reaps it, and where
     * PID 1 does not reap (a container's shell) ProcessHandle still calls a zombie alive.
     */
    private static boolean alive(long pid) {
        try {
            return running(pid);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean running(long pid) throws java.io.IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) return false;
        String s;
        try {
            s = Files.readString(stat);
        } catch (java.nio.file.NoSuchFileException gone) {
            return false;
        }
        return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
    }
}
