package org.initrdharness.vm.console;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Timeouts;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** Waits and cursors over lines handed in directly, as the assembler would. */
public class LineBufferTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Timeouts.override());
    private LineBuffer buffer;
    private long nextId;

    @BeforeMethod
    public void fresh() {
        buffer = new LineBuffer("test", new Timeline(System.nanoTime()), Duration.ZERO);
        nextId = 1;
    }

    private ConsoleLine line(String text) {
        return new ConsoleLine(nextId++, 1.0, text);
    }

    private void complete(String... texts) {
        for (String t : texts) buffer.add(List.of(new LineEvent.Completed(line(t))), new ConsoleLine(nextId, -1, ""));
    }

    private ConsoleMatch waitFor(String regex, long millis) {
        return buffer.waitFor(Pattern.compile(regex), TIMEOUTS.deadline(Duration.ofMillis(millis)));
    }

    @Test
    public void waitsConsumeInOrder() {
        complete("one", "two", "one");
        assertEquals(waitFor("one", 1000).line().id(), 1);
        assertEquals(waitFor("two", 1000).line().id(), 2);
        assertEquals(waitFor("one", 1000).line().id(), 3);
        assertEquals(expectThrows(BootFailure.class, () -> waitFor("two", 100)).kind(), BootFailure.Kind.TIMEOUT);
    }

    @Test
    public void secondMatchOnTheSameLineStartsAfterTheFirst() {
        complete("a=1 a=2");
        assertEquals(waitFor("a=(\\d)", 1000).group(1), "1");
        ConsoleMatch second = waitFor("a=(\\d)", 1000);
        assertEquals(second.group(1), "2");
        assertEquals(second.start(), 4);
        assertEquals(expectThrows(BootFailure.class, () -> waitFor("^a", 100)).kind(), BootFailure.Kind.TIMEOUT);
    }

    @Test
    public void partialLineMatchesAsItGrows() {
        buffer.add(List.of(), new ConsoleLine(1, 2.0, "login:"));
        ConsoleMatch m = waitFor("login:", 1000);
        assertTrue(m.partial());
        assertEquals(m.line(), new ConsoleLine(1, 2.0, "login:"));
    }

    @Test
    public void matchAtTheEndOfAPartialLineWaitsUntilItSettles() {
        buffer = new LineBuffer("test", new Timeline(System.nanoTime()), Duration.ofMinutes(1));
        buffer.add(List.of(), new ConsoleLine(1, 2.0, "MARKER x"));
        expectThrows(BootFailure.class, () -> waitFor("MARKER (\\S+)", 100));
        buffer.add(List.of(new LineEvent.Completed(new ConsoleLine(1, 2.0, "MARKER x86_64"))), new ConsoleLine(2, -1, ""));
        assertEquals(waitFor("MARKER (\\S+)", 1000).group(1), "x86_64");
    }

    @Test
    public void lineArrivingDuringTheWaitWakesIt() throws Exception {
        CompletableFuture<ConsoleMatch> m = CompletableFuture.supplyAsync(() -> waitFor("ready", 10_000));
        Thread.sleep(50);
        complete("ready");
        assertEquals(m.get(TIMEOUTS.scale(Duration.ofSeconds(5)).toMillis(), TimeUnit.MILLISECONDS).text(), "ready");
    }

    @Test
    public void cursorsThatReadIntoASplitOffKernelMessageMoveWithIt() {
        String kernel = "[    3.141592] random: crng init done";
        buffer.add(List.of(), new ConsoleLine(1, 1.0, "abc" + kernel));
        LineBuffer.Cursor responder = buffer.newCursor();
        assertEquals(waitFor("random", 1000).line().id(), 1);
        assertEquals(buffer.advance(responder, Pattern.compile("random")), new LineBuffer.Hit(1, 0));
        buffer.add(List.of(new LineEvent.SplitOff(new ConsoleLine(2, 1.5, kernel), 1, 3)), new ConsoleLine(1, 1.0, "abc"));
        // Both have read "random" in what is now line 2: neither finds it again.
        expectThrows(BootFailure.class, () -> waitFor("random", 100));
        assertNull(buffer.advance(responder, Pattern.compile("random")));
        assertEquals(waitFor("done", 1000).line().id(), 2);
    }

    @Test
    public void advanceSkipsEmptyMatchesAndSaysWhenAPromptHasNotSettled() {
        buffer = new LineBuffer("test", new Timeline(System.nanoTime()), Duration.ofMinutes(1));
        LineBuffer.Cursor c = buffer.newCursor();
        buffer.add(List.of(new LineEvent.Completed(new ConsoleLine(1, 1, "x"))), new ConsoleLine(2, 1, "pw:"));
        assertNull(buffer.advance(c, Pattern.compile("y*")));
        LineBuffer.Hit hit = buffer.advance(c, Pattern.compile("pw:"));
        assertEquals(hit.lineId(), 2);
        assertTrue(hit.settleNanos() > 0, hit.toString());
    }

    @Test
    public void failurePatternInALinePassedOverEndsTheWait() {
        complete("[FAILED] Failed to start foo.service - Foo.");
        BootFailure f = expectThrows(BootFailure.class, () -> waitFor("Reached target", 10_000));
        assertEquals(f.kind(), BootFailure.Kind.UNIT_FAILED);
        assertTrue(f.getMessage().contains("foo.service"), f.getMessage());
        buffer.allow(FailurePattern.UNIT_FAILED);
        buffer.failOn(FailurePattern.of("Oops"));
        assertFalse(buffer.failurePatterns().contains(FailurePattern.UNIT_FAILED));
        complete("Oops");
        assertEquals(expectThrows(BootFailure.class, () -> waitFor("never", 10_000)).kind(), BootFailure.Kind.PATTERN);
    }

    @Test
    public void endEndsTheWaitSayingHow() {
        buffer.describeEnd(() -> "QEMU exited with status 1");
        complete("reboot: Power down");
        assertTrue(buffer.end(List.of(), new ConsoleLine(nextId, -1, ""), 3.0));
        assertFalse(buffer.end(List.of(), new ConsoleLine(nextId, -1, ""), 4.0));
        BootFailure f = expectThrows(BootFailure.class, () -> waitFor("never", 10_000));
        assertEquals(f.kind(), BootFailure.Kind.GUEST_EXITED);
        assertTrue(f.getMessage().contains("QEMU exited with status 1"), f.getMessage());
        assertTrue(buffer.awaitEnd(TIMEOUTS.deadline(Duration.ZERO)));
    }

    @Test
    public void timeoutSaysHowLongWasLeftWhenTheWaitBegan() {
        buffer.add(List.of(), new ConsoleLine(1, 1.0, "still loading"));
        Timeouts x2 = new Timeouts(2 * TIMEOUTS.factor());
        BootFailure f = expectThrows(BootFailure.class,
                () -> buffer.waitFor(Pattern.compile("switch-root"), x2.deadline(Duration.ofMillis(500))));
        assertTrue(f.getMessage().contains(String.format(java.util.Locale.ROOT, "within %.1f s (0.5 s before scaling %s)",
                x2.factor() * 0.5, x2)), f.getMessage());
        assertTrue(f.getMessage().contains("still loading   (no newline yet)"), f.getMessage());
    }

    @Test
    public void waitsSharingAnExpiredDeadlineStillFindWhatHasArrived() {
        complete("one");
        Deadline passed = TIMEOUTS.deadline(Duration.ZERO);
        assertEquals(buffer.waitFor(Pattern.compile("one"), passed).text(), "one");
        assertFalse(buffer.awaitEnd(passed));
    }

    @Test
    public void textBetweenLeavesKernelMessagesOut() {
        complete("BEGIN", "out 1", "[    9.000000] kernel", "out 2", "END-0");
        ConsoleMatch from = waitFor("BEGIN", 1000);
        ConsoleMatch to = waitFor("END", 1000);
        assertEquals(buffer.textBetween(from, to), "out 1\nout 2");
    }

    @Test
    public void lastLinesEndWithThePartialLine() {
        complete("a", "b", "c");
        buffer.add(List.of(), new ConsoleLine(nextId, 2.0, "d"));
        List<String> last = buffer.lastLines(2);
        assertEquals(last.size(), 2);
        assertTrue(last.get(0).endsWith("] c"), last.toString());
        assertTrue(last.get(1).endsWith("] d   (no newline yet)"), last.toString());
    }
}
