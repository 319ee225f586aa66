package org.initrdharness.vm.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;

/**
 * Answers prompts: each responder types its answer and Enter once for each line in which its
 * pattern shows up, reading the {@link LineBuffer} with a cursor of its own.
 */
final class Responders {
    /** Looks again at a prompt once its partial line has settled; shared, as most consoles never need it. */
    private static final ScheduledExecutorService SETTLE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "console-settle");
        t.setDaemon(true);
        return t;
    });

    /** Where answers go: the console's input, with what the log shows instead. */
    interface Keyboard {
        void type(byte[] bytes, String logged) throws IOException;
    }

    private static final class Responder {
        final Pattern pattern;
        final String answer;
        final boolean secret;
        final LineBuffer.Cursor cursor;
        long answeredLineId = -1;

        Responder(Pattern pattern, String answer, boolean secret, LineBuffer.Cursor cursor) {
            this.pattern = pattern;
            this.answer = answer;
            this.secret = secret;
            this.cursor = cursor;
        }
    }

    private final LineBuffer buffer;
    private final Timeline timeline;
    private final Keyboard keyboard;
    private final List<Responder> responders = new ArrayList<>(); // guarded by the buffer's lock

    Responders(LineBuffer buffer, Timeline timeline, Keyboard keyboard) {
        this.buffer = buffer;
        this.timeline = timeline;
        this.keyboard = keyboard;
    }

    /** Adds a responder that reads from where the waits have got to, and answers what it finds there at once. */
    void add(Pattern prompt, String answer, boolean secret) {
        answer(buffer.locked(() -> {
            responders.add(new Responder(prompt, answer, secret, buffer.newCursor()));
            return scan();
        }));
    }

    /** Answers what arrived since the last call. */
    void run() {
        answer(buffer.locked(() -> buffer.isEnded() ? List.<Responder>of() : scan()));
    }

    /** Under the buffer's lock, so all responders see the same lines: those whose prompt showed up on a line not answered yet. */
    private List<Responder> scan() {
        List<Responder> fire = new ArrayList<>();
        for (Responder r : responders) {
            for (LineBuffer.Hit hit; (hit = buffer.advance(r.cursor, r.pattern)) != null; ) {
                if (hit.settleNanos() > 0) {
                    // Look again once the line has settled, unless more output comes first.
                    SETTLE.schedule(this::run, hit.settleNanos() + 1_000_000, TimeUnit.NANOSECONDS);
                    break;
                }
                // A redraw further on the same line is not answered again.
                if (r.answeredLineId != hit.lineId()) {
                    r.answeredLineId = hit.lineId();
                    fire.add(r);
                }
            }
        }
        return fire;
    }

    private void answer(List<Responder> fire) {
        for (Responder r : fire) {
            String shown = r.secret ? Secrets.PLACEHOLDER : r.answer;
            try {
                timeline.record("respond", "/" + r.pattern + "/ answered " + ConsoleLog.quoted(shown));
                keyboard.type((r.answer + "\r").getBytes(StandardCharsets.UTF_8), shown);
            } catch (IOException e) {
                timeline.record("respond", "could not answer /" + r.pattern + "/: " + e.getMessage());
            }
        }
    }
}
