package org.initrdharness.vm.console;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Timeouts;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** The console over real pipes: what the guest writes goes in one, what we type comes out of the other. */
public class ConsoleTest {
    /** Deadlines and wall-clock limits scale like the harness's own (INITRD_HARNESS_TIMEOUT_FACTOR). */
    private static final Timeouts TIMEOUTS = new Timeouts(Timeouts.override());
    /** Far longer than any pause between two writes of these tests: a partial line never settles by accident. */
    private static final Duration LONG_SETTLE = Duration.ofMinutes(1);

    private Pipe guestOut;
    private Pipe guestIn;
    private Path dir;
    private Console console;

    @BeforeMethod
    public void open() throws IOException {
        open(Console.PARTIAL_SETTLE);
    }

    private void open(Duration partialSettle) throws IOException {
        guestOut = Pipe.open();
        guestIn = Pipe.open();
        dir = Files.createTempDirectory("console-test");
        console = new Console("test", guestOut.source(), guestIn.sink(), new Timeline(System.nanoTime()),
                TIMEOUTS, dir.resolve("console.log"), partialSettle);
    }

    /** Replaces the console of {@link #open()} by one whose partial lines settle after {@code partialSettle}. */
    private void reopen(Duration partialSettle) throws IOException {
        close();
        open(partialSettle);
    }

    /** {@code baseline} milliseconds, scaled. */
    private static long ms(long baseline) {
        return TIMEOUTS.scale(Duration.ofMillis(baseline)).toMillis();
    }

    @AfterMethod(alwaysRun = true)
    public void close() throws IOException {
        console.close();
        guestOut.sink().close();
        guestIn.source().close();
    }

    private void guest(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) guestOut.sink().write(b);
    }

    private String typed(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) guestIn.source().read(b);
        return new String(b.array(), StandardCharsets.UTF_8);
    }

    private String log() throws IOException {
        console.close();
        return Files.readString(dir.resolve("console.log"));
    }

    @Test
    public void lineArrivingDuringTheWaitIsMatchedWithinMilliseconds() throws Exception {
        CompletableFuture<ConsoleMatch> m = CompletableFuture.supplyAsync(
                () -> console.waitFor(Pattern.compile("Welcome to (\\w+)"), Duration.ofSeconds(10)));
        Thread.sleep(100);
        long t0 = System.nanoTime();
        guest("noise\r\nWelcome to stage1!\r\n");
        ConsoleMatch match = m.get(ms(5000), TimeUnit.MILLISECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("line matched " + ms + " ms after it was written");
        assertEquals(match.group(1), "stage1");
        assertEquals(match.line().text(), "Welcome to stage1!");
        assertTrue(ms < ms(1000), "matched after " + ms + " ms (limit " + ms(1000) + " ms)");
    }

    @Test
    public void promptWithoutNewlineMatches() throws IOException {
        guest("Please enter passphrase for disk luks-123:");
        ConsoleMatch m = console.expect("Please enter passphrase for disk", Duration.ofSeconds(5));
        assertTrue(m.partial());
    }

    @Test
    public void matchReachingTheEndOfAPartialLineWaitsForTheRestOfIt() throws Exception {
        reopen(LONG_SETTLE);
        CompletableFuture<ConsoleMatch> m = CompletableFuture.supplyAsync(
                () -> console.waitFor(Pattern.compile("MARKER (\\S+)"), Duration.ofSeconds(10)));
        guest("HARNESS-MARKER x");
        Thread.sleep(20);
        guest("86_64\n");
        assertEquals(m.get(ms(5000), TimeUnit.MILLISECONDS).group(1), "x86_64");
    }

    @Test
    public void literalMatchEndingAtTheEndOfAPartialLineAlsoWaitsForTheRest() throws Exception {
        reopen(LONG_SETTLE);
        CompletableFuture<ConsoleMatch> m = CompletableFuture.supplyAsync(
                () -> console.expect("MARKER x", Duration.ofSeconds(10)));
        guest("HARNESS-MARKER x");
        Thread.sleep(20);
        guest("86_64\n");
        assertEquals(m.get(ms(5000), TimeUnit.MILLISECONDS).line().text(), "HARNESS-MARKER x86_64");
    }

    @Test
    public void endlessLineIsCutIntoPieces() throws IOException {
        String bar = "\r[=====>    ] 50%".repeat(3000);
        guest(bar + "\ndone\n");
        console.expect("done", Duration.ofSeconds(10));
        assertTrue(console.lines().size() > 2, "one line of " + bar.length() + " characters");
        assertTrue(console.lines().stream().allMatch(l -> l.text().length() <= Console.MAX_LINE));
    }

    @Test
    public void carriageReturnsAndAnsiEscapesAreRemoved() throws IOException {
        guest("\u001B[0;32m  OK  \u001B[0m] Reached target \u001B[1mInitrd Root Device\u001B[0m.\r\r\n");
        ConsoleMatch m = console.waitFor(Pattern.compile("OK  \\] Reached target Initrd Root Device\\.$"), Duration.ofSeconds(5));
        assertEquals(m.line().text(), "  OK  ] Reached target Initrd Root Device.");
    }

    @Test
    public void escapeSplitAcrossWritesIsRemoved() throws Exception {
        guest("Starting \u001B[");
        Thread.sleep(50);
        guest("1mfoo\u001B[0m.service\n");
        console.expect("Starting foo.service", Duration.ofSeconds(5));
    }

    @Test
    public void kernelMessageInterleavedIntoALineIsMovedOut() throws Exception {
        guest("Please enter pass");
        Thread.sleep(50);
        guest("[    3.141592] random: crng init done\r\n");
        guest("phrase for disk root:");
        ConsoleMatch m = console.expect("Please enter passphrase for disk root:", Duration.ofSeconds(5));
        assertEquals(m.line().text(), "Please enter passphrase for disk root:");
        assertTrue(console.lines().stream().anyMatch(l -> l.text().equals("[    3.141592] random: crng init done")),
                console.lines().toString());
    }

    @Test
    public void waitsConsumeInOrder() throws IOException {
        guest("one\ntwo\none\n");
        console.expect("one", Duration.ofSeconds(1));
        console.expect("two", Duration.ofSeconds(1));
        console.expect("one", Duration.ofSeconds(1));
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("two", Duration.ofMillis(200)));
        assertEquals(f.kind(), BootFailure.Kind.TIMEOUT);
    }

    @Test
    public void timeoutSaysWhatWasAwaitedAndShowsTheLastLines() throws IOException {
        guest("Loading initrd\nstill loading\n");
        long t0 = System.nanoTime();
        BootFailure f = expectThrows(BootFailure.class,
                () -> console.waitFor(Pattern.compile("switch-root"), Duration.ofMillis(300)));
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(f.kind(), BootFailure.Kind.TIMEOUT);
        assertTrue(f.getMessage().contains("/switch-root/"), f.getMessage());
        assertTrue(f.getMessage().contains("still loading"), f.getMessage());
        assertTrue(f.getMessage().contains("(test, "), f.getMessage());
        assertTrue(s >= ms(300) / 1000.0 && s < ms(3000) / 1000.0, "took " + s + " s, deadline x" + TIMEOUTS.factor());
    }

    @Test
    public void kernelPanicEndsTheWaitAtOnce() throws Exception {
        CompletableFuture<BootFailure> f = CompletableFuture.supplyAsync(() -> expectThrows(BootFailure.class,
                () -> console.expect("login:", Duration.ofSeconds(60))));
        Thread.sleep(100);
        long t0 = System.nanoTime();
        guest("[    2.000000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n");
        BootFailure failure = f.get(ms(5000), TimeUnit.MILLISECONDS);
        System.out.println("panic reported " + (System.nanoTime() - t0) / 1_000_000 + " ms after it was written");
        assertEquals(failure.kind(), BootFailure.Kind.KERNEL_PANIC);
        assertTrue(failure.getMessage().startsWith("kernel panic: '[    2.000000] Kernel panic"), failure.getMessage());
    }

    @Test
    public void kernelLogLinesPlymouthReplaysAreNoFailure() throws IOException {
        // Plymouth 24 starting late prints the kernel log so far, without the kernel's timestamps.
        guest("Booting Linux on physical CPU 0x0000000000 [0x411fd070]\n"
                + "systemd[1]: Reached target emergency.target - Emergency Mode.\n"
                + "systemd[1]: Failed to start systemd-cryptsetup@root.service - Cryptography Setup for root.\n"
                + "STAGE2 {}\n");
        console.expect("STAGE2", Duration.ofSeconds(5));
        // The same lines live, as the kernel prints them, still fail.
        guest("[    9.224361] systemd[1]: Reached target emergency.target - Emergency Mode.\n");
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("never", Duration.ofSeconds(5)));
        assertEquals(f.kind(), BootFailure.Kind.EMERGENCY_MODE);
    }

    @Test
    public void aFrozenServiceManagerEndsTheWait() throws IOException {
        // As systemd 257 prints it when /usr/lib/systemd/systemd-executor is missing.
        guest("[    5.009073] systemd[1]: Failed to allocate manager object: No such file or directory\n"
                + "[\u001b[0;1;31m!!!!!!\u001b[0m] Failed to allocate manager object.\n"
                + "[    5.011512] systemd[1]: Freezing execution.\n");
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("STAGE2", Duration.ofSeconds(30)));
        assertEquals(f.kind(), BootFailure.Kind.INIT_FROZEN);
        assertTrue(f.getMessage().contains("Failed to allocate manager object"), f.getMessage());
    }

    @Test
    public void unitFailureAndEmergencyModeFailUnlessAllowed() throws IOException {
        guest("[FAILED] Failed to start systemd-cryptsetup@root.service - Cryptography Setup for root.\n");
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("Reached target", Duration.ofSeconds(5)));
        assertEquals(f.kind(), BootFailure.Kind.UNIT_FAILED);
        assertTrue(f.getMessage().contains("systemd-cryptsetup@root.service"), f.getMessage());

        console.allow(FailurePattern.UNIT_FAILED);
        console.allow(FailurePattern.EMERGENCY_MODE);
        guest("You are in emergency mode. After logging in, type \"journalctl -xb\"\nsh-5.2#");
        console.expect("sh-5.2#", Duration.ofSeconds(5));
    }

    @Test
    public void expectedTextIsNotAFailureEvenWhenAPatternWouldMatchIt() throws IOException {
        guest("[FAILED] Failed to start foo.service - Foo.\nafter\n");
        console.expect("Failed to start foo.service", Duration.ofSeconds(5));
        console.expect("after", Duration.ofSeconds(5));
    }

    @Test
    public void addedPatternFails() throws IOException {
        console.failOn(FailurePattern.of("Oops: \\d+"));
        guest("Oops: 0002 [#1] SMP\n");
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("never", Duration.ofSeconds(5)));
        assertEquals(f.kind(), BootFailure.Kind.PATTERN);
    }

    @Test
    public void guestExitEndsTheWait() throws IOException {
        guest("reboot: Power down\n");
        guestOut.sink().close();
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("never", Duration.ofSeconds(30)));
        assertEquals(f.kind(), BootFailure.Kind.GUEST_EXITED);
        assertTrue(f.getMessage().contains("reboot: Power down"), f.getMessage());
    }

    @Test
    public void secretIsTypedButNeverLogged() throws IOException {
        guest("Password: ");
        console.expect("Password:", Duration.ofSeconds(5));
        console.sendSecretLine("hunter2");
        assertEquals(typed(8), "hunter2\r");
        guest("hunter2\r\nwrong hunter2 again\n"); // a guest that echoes what it read
        console.expect("again", Duration.ofSeconds(5));
        BootFailure f = expectThrows(BootFailure.class, () -> console.expect("never", Duration.ofMillis(100)));
        assertFalse(f.getMessage().contains("hunter2"), f.getMessage());
        String log = log();
        assertFalse(log.contains("hunter2"), log);
        assertTrue(log.contains(">>> <secret>"), log);
    }

    @Test
    public void responderAnswersARedrawnPromptOnce() throws Exception {
        console.respondSecret(Pattern.compile("Please enter passphrase for disk \\S+:"), "s3cret");
        // Answers are typed in the order of the output that asks for them: whatever comes before
        // the answer to this later marker line is an extra answer to a prompt.
        console.respond(Pattern.compile("^checkpoint$"), "ack");
        guest("Please enter passphrase for disk luks-1:");
        assertEquals(typed(7), "s3cret\r");
        // plymouth redraws the prompt on the same line after each key
        guest("Please enter passphrase for disk luks-1:******Please enter passphrase for disk luks-1:");
        guest("\nunlocked\n");
        console.expect("unlocked", Duration.ofSeconds(5));
        guest("Please enter passphrase for disk luks-2:");
        assertEquals(typed(7), "s3cret\r");
        guest("******Please enter passphrase for disk luks-2:\ncheckpoint\n");
        assertEquals(typed(4), "ack\r", "a prompt was answered more than once");
        assertFalse(log().contains("s3cret"));
    }

    @Test
    public void shellRunsCommandsAndIgnoresTheirEcho() throws Exception {
        ShellSession shell = console.shell();
        CompletableFuture<ShellResult> r = CompletableFuture.supplyAsync(() -> shell.run("ls /nope", Duration.ofSeconds(10)));
        // Play the shell: echo the typed line, then print the markers around the output.
        String line = readLine();
        guest(line.replace("\r", "") + "\r\n");
        String nonce = line.replaceAll(".*BEGIN-(\\w+)''(\\w+);.*", "$1$2");
        guest("BEGIN-" + nonce + "\r\nls: /nope: No such file or directory\r\n");
        guest("[    9.000000] some kernel message\r\n");
        guest("END-" + nonce + "-1\r\n~ # ");
        ShellResult result = r.get(ms(5000), TimeUnit.MILLISECONDS);
        assertEquals(result.exitStatus(), 1);
        assertEquals(result.output(), "ls: /nope: No such file or directory");
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(1);
        while (true) {
            b.clear();
            guestIn.source().read(b);
            char c = (char) b.get(0);
            sb.append(c);
            if (c == '\r') return sb.toString();
        }
    }

    @Test
    public void logHasTimestampedLinesAndInput() throws IOException {
        guest("hello\n");
        console.expect("hello", Duration.ofSeconds(5));
        console.sendLine("ls");
        String log = log();
        assertTrue(log.matches("(?s)\\[ +\\d+\\.\\d{3}\\] hello\n\\[ +\\d+\\.\\d{3}\\] >>> ls\\\\r\n"), log);
    }
}
