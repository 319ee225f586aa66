package org.initrdharness.vm.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;

/**
 * The lines seen so far and the partial line, with the cursors that read them: the waits' and
 * each responder's. A wait consumes from its cursor and wakes on every change, so a prompt
 * without a newline matches within milliseconds; it fails at once on a {@link FailurePattern}
 * in a line it passes over, on the console's end, or at its deadline.
 */
final class LineBuffer {
    private final String where;
    private final Timeline timeline;
    private final Duration partialSettle;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<ConsoleLine> lines = new ArrayList<>();
    private ConsoleLine partial = new ConsoleLine(0, -1, ""); // no line has id 0
    private long lastChunkNanos = System.nanoTime();
    private final Cursor waits = new Cursor();
    private final List<Cursor> cursors = new ArrayList<>(List.of(waits));
    private final List<FailurePattern> failures = new ArrayList<>(FailurePattern.DEFAULTS);
    private boolean ended;
    private double endSeconds;
    private volatile Supplier<String> endDescription = () -> "the console closed";

    /** Where a reader has got to: lines before {@code index} are read, and in the line {@code lineId}, up to {@code offset}. */
    static final class Cursor {
        private int index;
        private long lineId = -1;
        private int offset;

        private void set(int index, long lineId, int offset) {
            this.index = index;
            this.lineId = lineId;
            this.offset = offset;
        }
    }

    /**
     * A responder's step: the line it found its pattern in, or, for a match at the end of the
     * partial line, how long the line must stay unchanged before it counts.
     */
    record Hit(long lineId, long settleNanos) {}

    LineBuffer(String where, Timeline timeline, Duration partialSettle) {
        if (partialSettle.isNegative()) throw new IllegalArgumentException("negative settle time " + partialSettle);
        this.where = Objects.requireNonNull(where);
        this.timeline = Objects.requireNonNull(timeline);
        this.partialSettle = partialSettle;
    }

    void describeEnd(Supplier<String> description) {
        this.endDescription = Objects.requireNonNull(description);
    }

    /** Takes the assembler's events of one chunk and its partial line now, and wakes the waits. */
    void add(List<LineEvent> events, ConsoleLine partialNow) {
        lock.lock();
        try {
            lastChunkNanos = System.nanoTime();
            addLines(events);
            partial = partialNow;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The console closed at {@code seconds}, after {@code last}: every wait ends. False if it had already. */
    boolean end(List<LineEvent> last, ConsoleLine partialNow, double seconds) {
        lock.lock();
        try {
            if (ended) return false;
            addLines(last);
            partial = partialNow;
            ended = true;
            endSeconds = seconds;
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void addLines(List<LineEvent> events) {
        for (LineEvent e : events) {
            if (e instanceof LineEvent.SplitOff s) {
                for (Cursor c : cursors) {
                    if (c.lineId == s.from() && c.offset > s.at()) c.set(lines.size(), s.line().id(), c.offset - s.at());
                }
            }
            lines.add(e.line());
        }
    }

    boolean isEnded() {
        return locked(() -> ended);
    }

    /** Runs {@code action} under the buffer's lock: nothing is added meanwhile. */
    <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** A cursor that starts where the waits have got to and moves with the lines. */
    Cursor newCursor() {
        return locked(() -> {
            Cursor c = new Cursor();
            c.set(waits.index, waits.lineId, waits.offset);
            cursors.add(c);
            return c;
        });
    }

    /**
     * Moves {@code cursor} past the next non-empty match of {@code pattern}, or to the partial
     * line when there is none (null). A match at the end of the partial line that has not settled
     * leaves the cursor where it was.
     */
    Hit advance(Cursor cursor, Pattern pattern) {
        lock.lock();
        try {
            int i = cursor.index;
            while (i <= lines.size()) {
                boolean isPartial = i == lines.size();
                ConsoleLine line = isPartial ? partial : lines.get(i);
                int from = line.id() == cursor.lineId ? cursor.offset : 0;
                Matcher m = find(pattern, line.text(), from);
                if (m != null && m.end() > m.start()) {
                    long settle = isPartial ? settleRemaining(m) : 0;
                    if (settle > 0) return new Hit(line.id(), settle);
                    cursor.set(i, line.id(), m.end());
                    return new Hit(line.id(), 0);
                }
                if (isPartial) return null;
                i++;
                cursor.set(i, -1, 0);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for {@code regex} in the output after the previous match, line by line (a pattern
     * does not span lines; {@code ^} anchors at a line's start). A line still without its
     * newline is matched as it grows.
     *
     * @throws BootFailure on a failure pattern, the console's end, or the deadline
     */
    ConsoleMatch waitFor(Pattern regex, Deadline deadline) {
        Duration budget = deadline.remaining();
        lock.lock();
        try {
            int scan = waits.index;
            while (true) {
                for (; scan < lines.size(); scan++) {
                    ConsoleLine line = lines.get(scan);
                    int from = line.id() == waits.lineId ? waits.offset : 0;
                    Matcher m = find(regex, line.text(), from);
                    if (m != null) {
                        waits.set(scan, line.id(), m.end());
                        return matched(regex, m, line, false);
                    }
                    checkFailures(regex, line, from);
                }
                long settleNanos = Long.MAX_VALUE;
                if (!partial.text().isEmpty()) {
                    int from = partial.id() == waits.lineId ? waits.offset : 0;
                    Matcher m = find(regex, partial.text(), from);
                    if (m != null) {
                        settleNanos = settleRemaining(m);
                        if (settleNanos <= 0) {
                            waits.set(lines.size(), partial.id(), m.end());
                            return matched(regex, m, partial, true);
                        }
                    }
                }
                if (ended) {
                    throw failure(BootFailure.Kind.GUEST_EXITED, endSeconds,
                            "the guest exited (" + endDescription.get() + ") while waiting for /" + regex + "/");
                }
                long remaining = deadline.remaining().toNanos();
                if (remaining <= 0) {
                    throw failure(BootFailure.Kind.TIMEOUT, timeline.now(),
                            "no console output matched /" + regex + "/ within " + deadline.describe(budget));
                }
                changed.awaitNanos(Math.min(remaining, settleNanos));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(BootFailure.Kind.TIMEOUT, timeline.now(), "interrupted while waiting for /" + regex + "/");
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the console closes; false if it did not by {@code deadline}. */
    boolean awaitEnd(Deadline deadline) {
        lock.lock();
        try {
            while (!ended) {
                long remaining = deadline.remaining().toNanos();
                if (remaining <= 0) return false;
                changed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: for a match in the partial line, how much longer it must stay unchanged
     * before the match counts (0: now). A match that did not reach the line's end cannot change.
     * hitEnd() alone misses literal patterns that end exactly at the end of the text.
     */
    private long settleRemaining(Matcher m) {
        if (!m.hitEnd() && m.end() < m.regionEnd()) return 0;
        return partialSettle.toNanos() - (System.nanoTime() - lastChunkNanos);
    }

    private static Matcher find(Pattern regex, String text, int from) {
        Matcher m = regex.matcher(text);
        int start = Math.min(from, text.length());
        m.region(start, text.length());
        m.useTransparentBounds(true);
        m.useAnchoringBounds(start == 0);
        return m.find() ? m : null;
    }

    private ConsoleMatch matched(Pattern regex, Matcher m, ConsoleLine line, boolean partial) {
        List<String> groups = new ArrayList<>();
        for (int g = 0; g <= m.groupCount(); g++) groups.add(m.group(g));
        double now = timeline.now();
        timeline.record(now, "match", "/" + regex + "/ in: " + line.text());
        return new ConsoleMatch(m.group(), Collections.unmodifiableList(groups), line, now, partial, m.start(), m.end());
    }

    private void checkFailures(Pattern awaited, ConsoleLine line, int from) {
        String rest = line.text().substring(Math.min(from, line.text().length()));
        for (FailurePattern f : failures) {
            if (f.pattern().matcher(rest).find()) {
                throw failure(f.kind(), line.seconds(),
                        f.name() + ": '" + line.text().strip() + "' while waiting for /" + awaited + "/");
            }
        }
    }

    private BootFailure failure(BootFailure.Kind kind, double at, String what) {
        BootFailure f = new BootFailure(kind, where, at, what, lastLines(Console.FAILURE_CONTEXT_LINES));
        timeline.record(timeline.now(), "failure", kind + ": " + what);
        return f;
    }

    void failOn(FailurePattern pattern) {
        locked(() -> {
            if (!failures.contains(pattern)) failures.add(pattern);
            return null;
        });
    }

    void allow(FailurePattern pattern) {
        locked(() -> failures.remove(pattern));
    }

    List<FailurePattern> failurePatterns() {
        return locked(() -> List.copyOf(failures));
    }

    List<ConsoleLine> lines() {
        return locked(() -> List.copyOf(lines));
    }

    /** The last {@code n} lines, with the partial line, as "[seconds] text". */
    List<String> lastLines(int n) {
        return locked(() -> {
            List<String> out = new ArrayList<>();
            for (ConsoleLine l : lines.subList(Math.max(0, lines.size() - n), lines.size())) out.add(l.toString());
            if (!partial.text().isEmpty()) out.add(partial + "   (no newline yet)");
            return out.size() > n ? out.subList(out.size() - n, out.size()) : out;
        });
    }

    /**
     * The output between two matches (after {@code from}'s end, before {@code to}'s start), kernel
     * messages left out; lines joined with "\n".
     */
    String textBetween(ConsoleMatch from, ConsoleMatch to) {
        return locked(() -> {
            List<String> parts = new ArrayList<>();
            int i = indexOf(from.line().id());
            if (i < 0) return "";
            String first = lines.get(i).text();
            if (from.line().id() == to.line().id()) {
                return first.substring(Math.min(from.end(), to.start()), to.start());
            }
            String head = first.substring(Math.min(from.end(), first.length()));
            if (!head.isEmpty()) parts.add(head);
            for (int j = i + 1; j < lines.size(); j++) {
                ConsoleLine l = lines.get(j);
                if (l.id() == to.line().id()) {
                    String tail = l.text().substring(0, Math.min(to.start(), l.text().length()));
                    if (!tail.isEmpty()) parts.add(tail);
                    return String.join("\n", parts);
                }
                if (!ConsoleText.isKernelMessage(l.text())) parts.add(l.text());
            }
            if (partial.id() == to.line().id()) {
                String tail = partial.text().substring(0, Math.min(to.start(), partial.text().length()));
                if (!tail.isEmpty()) parts.add(tail);
            }
            return String.join("\n", parts);
        });
    }

    private int indexOf(long id) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).id() == id) return i;
        }
        return -1;
    }
}
