package org.initrdharness.vm.console;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.Timeouts;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** Responders over a line buffer fed by hand, typing on a keyboard that records. */
public class RespondersTest {
    private static final Pattern PROMPT = Pattern.compile("passphrase for \\S+:");
    private final List<String> typed = new CopyOnWriteArrayList<>();
    private Timeline timeline;
    private LineBuffer buffer;
    private Responders responders;

    @BeforeMethod
    public void fresh() {
        open(Duration.ZERO);
    }

    private void open(Duration settle) {
        typed.clear();
        timeline = new Timeline(System.nanoTime());
        buffer = new LineBuffer("test", timeline, settle);
        responders = new Responders(buffer, timeline,
                (bytes, logged) -> typed.add(new String(bytes, StandardCharsets.UTF_8) + "|" + logged));
    }

    private void show(List<LineEvent> events, ConsoleLine partial) {
        buffer.add(events, partial);
        responders.run();
    }

    @Test
    public void redrawnPromptIsAnsweredOncePerLine() {
        responders.add(PROMPT, "s3cret", true);
        show(List.of(), new ConsoleLine(1, 1, "passphrase for luks-1:"));
        assertEquals(typed, List.of("s3cret\r|<secret>"));
        show(List.of(), new ConsoleLine(1, 1, "passphrase for luks-1:******passphrase for luks-1:"));
        show(List.of(new LineEvent.Completed(new ConsoleLine(1, 1, "passphrase for luks-1:******passphrase for luks-1:"))),
                new ConsoleLine(2, 2, "passphrase for luks-2:"));
        assertEquals(typed, List.of("s3cret\r|<secret>", "s3cret\r|<secret>"));
    }

    @Test
    public void startsWhereTheWaitsAreAndAnswersWhatIsAlreadyThere() {
        show(List.of(new LineEvent.Completed(new ConsoleLine(1, 1, "passphrase for old:")),
                new LineEvent.Completed(new ConsoleLine(2, 1, "marker"))), new ConsoleLine(3, 1, "passphrase for new:"));
        buffer.waitFor(Pattern.compile("marker"), new Timeouts(1).deadline(Duration.ofSeconds(1)));
        responders.add(PROMPT, "a", false);
        assertEquals(typed, List.of("a\r|a"));
    }

    @Test
    public void eachResponderAnswersInTheOrderTheyWereAdded() {
        responders.add(Pattern.compile("^two$"), "2", false);
        responders.add(Pattern.compile("^one$"), "1", false);
        show(List.of(new LineEvent.Completed(new ConsoleLine(1, 1, "one")), new LineEvent.Completed(new ConsoleLine(2, 1, "two"))),
                new ConsoleLine(3, -1, ""));
        assertEquals(typed, List.of("2\r|2", "1\r|1"));
    }

    @Test
    public void promptAtTheEndOfAPartialLineIsAnsweredOnceItSettles() throws InterruptedException {
        open(Duration.ofMillis(200));
        responders.add(PROMPT, "late", false);
        show(List.of(), new ConsoleLine(1, 1, "passphrase for luks-1:"));
        assertEquals(typed, List.of(), "answered before the line settled");
        long limit = System.nanoTime() + new Timeouts(Timeouts.override()).scale(Duration.ofSeconds(5)).toNanos();
        while (typed.isEmpty() && System.nanoTime() < limit) Thread.sleep(10);
        assertEquals(typed, List.of("late\r|late"));
    }

    @Test
    public void secretAnswerStaysOutOfTheTimelineAndAFailingKeyboardIsRecorded() {
        responders = new Responders(buffer, timeline, (bytes, logged) -> {
            throw new IOException("broken pipe");
        });
        responders.add(PROMPT, "s3cret", true);
        show(List.of(), new ConsoleLine(1, 1, "passphrase for luks-1:"));
        String events = timeline.format();
        assertFalse(events.contains("s3cret"), events);
        assertTrue(events.contains("answered <secret>"), events);
        assertTrue(events.contains("could not answer /" + PROMPT + "/: broken pipe"), events);
    }

    @Test
    public void nothingIsAnsweredAfterTheEnd() {
        responders.add(PROMPT, "a", false);
        buffer.end(List.of(), new ConsoleLine(1, 1, "passphrase for luks-1:"), 1);
        responders.run();
        assertEquals(typed, List.of());
    }
}
