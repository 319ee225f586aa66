package org.initrdharness.vm.console;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Timeouts;

/**
 * A guest's serial line. A reader thread turns the output into {@link ConsoleLine}s (ANSI
 * escapes and CRs removed, kernel messages that cut into a user-space line moved to their own
 * line), written in full to the console log; waits consume them from a cursor and wake on
 * every chunk that arrives, so a prompt without a newline matches within milliseconds.
 *
 * <p>Every wait has a deadline, scaled by the machine's {@link Timeouts}. A wait ends at once
 * with a {@link BootFailure} when a {@link FailurePattern} matches a line it passes over, when
 * the guest exits, or when the deadline passes.
 */
public final class Console implements AutoCloseable {

    /** How many console lines a failure message shows. */
    public static final int FAILURE_CONTEXT_LINES = 30;

    /** The deadline of {@link #expect(String)} and {@link #waitFor(Pattern)} before scaling. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * How long a partial line must stay unchanged before a match that reaches its end counts:
     * "HARNESS-MARKER x" must not match /MARKER (\\S+)/ while "86_64" is still on its way, but
     * a prompt waiting for input stays unchanged.
     */
    public static final Duration PARTIAL_SETTLE = Duration.ofMillis(100);

    /** A line longer than this is cut: a guest redrawing a progress bar with CRs never ends its line. */
    public static final int MAX_LINE = 16 * 1024;

    private static final String SECRET = "<secret>";
    private static final java.util.concurrent.ScheduledExecutorService SETTLE = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "console-settle");
                t.setDaemon(true);
                return t;
            });

    private final String where;
    private final ReadableByteChannel output;
    private final WritableByteChannel input;
    private final Timeline timeline;
    private final Timeouts timeouts;
    private final Duration partialSettle;
    private final Writer log;
    private final Thread reader;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<ConsoleLine> lines = new ArrayList<>();
    private final StringBuilder pendingRaw = new StringBuilder();
    private long nextId = 1;
    private long pendingId = nextId++;
    private double pendingSeconds = -1;
    private long lastChunkNanos = System.nanoTime();
    private final Cursor cursor = new Cursor();
    private final List<FailurePattern> failures = new ArrayList<>(FailurePattern.DEFAULTS);
    private final List<Responder> responders = new ArrayList<>();
    private final List<String> secrets = new CopyOnWriteArrayList<>();
    private final List<OutputStream> taps = new CopyOnWriteArrayList<>();
    private boolean ended;
    private double endSeconds;
    private volatile Supplier<String> endDescription = () -> "the console closed";

    /** Where a reader has got to: lines before {@code index} are read, and in the line {@code lineId}, up to {@code offset}. */
    private static final class Cursor {
        int index;
        long lineId = -1;
        int offset;

        void set(int index, long lineId, int offset) {
            this.index = index;
            this.lineId = lineId;
            this.offset = offset;
        }
    }

    /** Types an answer once for each line in which its pattern shows up. */
    private static final class Responder {
        final Pattern pattern;
        final String answer;
        final boolean secret;
        final Cursor cursor = new Cursor();
        long answeredLineId = -1;
        int answers;

        Responder(Pattern pattern, String answer, boolean secret) {
            this.pattern = pattern;
            this.answer = answer;
            this.secret = secret;
        }
    }

    /**
     * Starts reading {@code output}.
     *
     * @param where    the machine's label in messages ("x86_64")
     * @param output   what the guest writes (the serial line's output)
     * @param input    what the guest reads
     * @param timeline receives matches, failures and input; its clock gives the timestamps
     * @param timeouts scales every deadline
     * @param logFile  the console log, or null for none
     */
    public Console(String where, ReadableByteChannel output, WritableByteChannel input, Timeline timeline,
            Timeouts timeouts, Path logFile) throws IOException {
        this(where, output, input, timeline, timeouts, logFile, PARTIAL_SETTLE);
    }

    /**
     * As {@link #Console(String, ReadableByteChannel, WritableByteChannel, Timeline, Timeouts, Path)},
     * with another settle time for partial lines than {@link #PARTIAL_SETTLE} (not scaled).
     */
    public Console(String where, ReadableByteChannel output, WritableByteChannel input, Timeline timeline,
            Timeouts timeouts, Path logFile, Duration partialSettle) throws IOException {
        if (partialSettle.isNegative()) throw new IllegalArgumentException("negative settle time " + partialSettle);
        this.partialSettle = partialSettle;
        this.where = Objects.requireNonNull(where);
        this.output = Objects.requireNonNull(output);
        this.input = Objects.requireNonNull(input);
        this.timeline = Objects.requireNonNull(timeline);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.log = logFile == null ? null : new BufferedWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8));
        this.reader = new Thread(this::readLoop, "console-" + where);
        reader.setDaemon(true);
        reader.start();
    }

    /** The machine's label. */
    public String where() {
        return where;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /** Seconds since QEMU started. */
    public double seconds() {
        return timeline.now();
    }

    /** Says how the guest ended, for messages once the console closes ("QEMU exited with status 1"). */
    public void describeEnd(Supplier<String> description) {
        this.endDescription = Objects.requireNonNull(description);
    }

    // ---- waits ------------------------------------------------------------------------------

    /** Waits for {@code regex} (found anywhere in a line, or a partial line) within the default deadline. */
    public ConsoleMatch waitFor(Pattern regex) {
        return waitFor(regex, DEFAULT_TIMEOUT);
    }

    /** Waits for the literal text {@code text} within the default deadline. */
    public ConsoleMatch expect(String text) {
        return expect(text, DEFAULT_TIMEOUT);
    }

    /** Waits for the literal text {@code text} within {@code timeout} (scaled). */
    public ConsoleMatch expect(String text, Duration timeout) {
        return waitFor(Pattern.compile(Pattern.quote(text)), timeout);
    }

    /**
     * Waits for {@code regex} in the output after the previous match, line by line (a pattern
     * does not span lines; {@code ^} anchors at a line's start). A line still without its
     * newline is matched as it grows.
     *
     * @param timeout the deadline written for TCG; scaled by this machine's {@link Timeouts}
     * @throws BootFailure on a failure pattern, the guest's exit, or the deadline
     */
    public ConsoleMatch waitFor(Pattern regex, Duration timeout) {
        Duration scaled = timeouts.scale(timeout);
        long deadline = System.nanoTime() + scaled.toNanos();
        lock.lock();
        try {
            int scan = cursor.index;
            while (true) {
                for (; scan < lines.size(); scan++) {
                    ConsoleLine line = lines.get(scan);
                    int from = line.id() == cursor.lineId ? cursor.offset : 0;
                    Matcher m = find(regex, line.text(), from);
                    if (m != null) {
                        cursor.set(scan, line.id(), m.end());
                        return matched(regex, m, line, false);
                    }
                    checkFailures(regex, line, from);
                }
                String pending = pendingView();
                long settleNanos = Long.MAX_VALUE;
                if (!pending.isEmpty()) {
                    int from = pendingId == cursor.lineId ? cursor.offset : 0;
                    Matcher m = find(regex, pending, from);
                    if (m != null) {
                        settleNanos = settleRemaining(m);
                        if (settleNanos <= 0) {
                            cursor.set(lines.size(), pendingId, m.end());
                            return matched(regex, m, new ConsoleLine(pendingId, pendingSeconds, pending), true);
                        }
                    }
                }
                if (ended) {
                    throw failure(BootFailure.Kind.GUEST_EXITED, endSeconds,
                            "the guest exited (" + endDescription.get() + ") while waiting for /" + regex + "/");
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw failure(BootFailure.Kind.TIMEOUT, seconds(), String.format(Locale.ROOT,
                            "no console output matched /%s/ within %.1f s (%.1f s before scaling %s)",
                            regex, scaled.toMillis() / 1000.0, timeout.toMillis() / 1000.0, timeouts));
                }
                changed.awaitNanos(Math.min(remaining, settleNanos));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(BootFailure.Kind.TIMEOUT, seconds(), "interrupted while waiting for /" + regex + "/");
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
        double now = seconds();
        timeline.record(now, "match", "/" + regex + "/ in: " + line.text());
        return new ConsoleMatch(m.group(), java.util.Collections.unmodifiableList(groups), line, now, partial,
                m.start(), m.end());
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
        BootFailure f = new BootFailure(kind, where, at, what, lastLines(FAILURE_CONTEXT_LINES));
        timeline.record(seconds(), "failure", kind + ": " + what);
        return f;
    }

    /** Waits until the console closes (the guest exited); false if it did not within {@code timeout} (scaled). */
    public boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeouts.scale(timeout).toNanos();
        lock.lock();
        try {
            while (!ended) {
                long remaining = deadline - System.nanoTime();
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

    public boolean isEnded() {
        lock.lock();
        try {
            return ended;
        } finally {
            lock.unlock();
        }
    }

    // ---- failure patterns and responders ----------------------------------------------------

    /** Adds a failure pattern; any wait that passes over a matching line fails. */
    public void failOn(FailurePattern pattern) {
        lock.lock();
        try {
            if (!failures.contains(pattern)) failures.add(pattern);
        } finally {
            lock.unlock();
        }
    }

    /** Removes a failure pattern: e.g. {@link FailurePattern#EMERGENCY_MODE} when the emergency shell is the point. */
    public void allow(FailurePattern pattern) {
        lock.lock();
        try {
            failures.remove(pattern);
        } finally {
            lock.unlock();
        }
    }

    public List<FailurePattern> failurePatterns() {
        lock.lock();
        try {
            return List.copyOf(failures);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Types {@code answer} and Enter each time {@code prompt} shows up, once per console line:
     * a prompt redrawn on the same line (plymouth redraws after every key) is answered once.
     */
    public void respond(Pattern prompt, String answer) {
        addResponder(new Responder(prompt, answer, false));
    }

    /** As {@link #respond}, but the answer is never written to the log, the timeline or a failure message. */
    public void respondSecret(Pattern prompt, String answer) {
        addSecret(answer);
        addResponder(new Responder(prompt, answer, true));
    }

    private void addResponder(Responder r) {
        List<Responder> fire;
        lock.lock();
        try {
            r.cursor.set(cursor.index, cursor.lineId, cursor.offset);
            responders.add(r);
            fire = runResponders();
        } finally {
            lock.unlock();
        }
        answer(fire);
    }

    /** Under the lock: the responders whose prompt showed up on a line not answered yet. */
    private List<Responder> runResponders() {
        List<Responder> fire = new ArrayList<>();
        for (Responder r : responders) {
            int i = r.cursor.index;
            while (i <= lines.size()) {
                boolean isPending = i == lines.size();
                long id = isPending ? pendingId : lines.get(i).id();
                String text = isPending ? pendingView() : lines.get(i).text();
                int from = id == r.cursor.lineId ? r.cursor.offset : 0;
                Matcher m = find(r.pattern, text, from);
                if (m != null && m.end() > m.start()) {
                    long settle = isPending ? settleRemaining(m) : 0;
                    if (settle > 0) {
                        // Look again once the line has settled, unless more output comes first.
                        SETTLE.schedule(this::recheckResponders, settle + 1_000_000, TimeUnit.NANOSECONDS);
                        break;
                    }
                    r.cursor.set(i, id, m.end());
                    if (r.answeredLineId != id) {
                        r.answeredLineId = id;
                        fire.add(r);
                    }
                    continue; // a redraw further on the same line is not answered again
                }
                if (isPending) break;
                i++;
                r.cursor.set(i, -1, 0);
            }
        }
        return fire;
    }

    private void recheckResponders() {
        List<Responder> fire;
        lock.lock();
        try {
            if (ended) return;
            fire = runResponders();
        } finally {
            lock.unlock();
        }
        answer(fire);
    }

    private void answer(List<Responder> fire) {
        for (Responder r : fire) {
            try {
                r.answers++;
                timeline.record("respond", "/" + r.pattern + "/ answered " + (r.secret ? SECRET : quoted(r.answer)));
                write((r.answer + "\r").getBytes(StandardCharsets.UTF_8), r.secret ? SECRET : r.answer);
            } catch (IOException e) {
                timeline.record("respond", "could not answer /" + r.pattern + "/: " + e.getMessage());
            }
        }
    }

    // ---- input ------------------------------------------------------------------------------

    /** Types {@code text} as it is (add "\r" for Enter). */
    public void send(String text) throws IOException {
        timeline.record("input", quoted(redact(text)));
        write(text.getBytes(StandardCharsets.UTF_8), redact(text));
    }

    /** Types {@code text} and Enter. */
    public void sendLine(String text) throws IOException {
        send(text + "\r");
    }

    /** Types {@code secret} without Enter; logs, timeline and failure messages show "&lt;secret&gt;" instead, even where the guest echoes it. */
    public void sendSecret(String secret) throws IOException {
        addSecret(secret);
        timeline.record("input", SECRET);
        write(secret.getBytes(StandardCharsets.UTF_8), SECRET);
    }

    /** Types {@code secret} and Enter, never logging it. */
    public void sendSecretLine(String secret) throws IOException {
        addSecret(secret);
        timeline.record("input", SECRET + "\\r");
        write((secret + "\r").getBytes(StandardCharsets.UTF_8), SECRET + "\\r");
    }

    /** Raw bytes from a terminal (interactive use); logged as they are. */
    public void sendBytes(byte[] bytes) throws IOException {
        write(bytes, null);
    }

    private void addSecret(String secret) {
        if (!secret.isEmpty() && !secrets.contains(secret)) secrets.add(secret);
    }

    private synchronized void write(byte[] bytes, String logged) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) input.write(b);
        if (logged != null) logLine(String.format(Locale.ROOT, "[%9.3f] >>> %s", seconds(), quoted(logged)));
    }

    private static String quoted(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** A shell on this console: run commands, get their exit status and output. */
    public ShellSession shell() {
        return new ShellSession(this);
    }

    /** Copies every byte the guest writes to {@code out} as well (a terminal, for interactive use). */
    public void tap(OutputStream out) {
        taps.add(out);
    }

    public void untap(OutputStream out) {
        taps.remove(out);
    }

    // ---- what was seen ----------------------------------------------------------------------

    /** Every complete line so far. */
    public List<ConsoleLine> lines() {
        lock.lock();
        try {
            return List.copyOf(lines);
        } finally {
            lock.unlock();
        }
    }

    /** The last {@code n} lines, with the partial line, as "[seconds] text". */
    public List<String> lastLines(int n) {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (ConsoleLine l : lines.subList(Math.max(0, lines.size() - n), lines.size())) out.add(l.toString());
            String pending = pendingView();
            if (!pending.isEmpty()) out.add(new ConsoleLine(pendingId, pendingSeconds, pending) + "   (no newline yet)");
            return out.size() > n ? out.subList(out.size() - n, out.size()) : out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The output between two matches (after {@code from}'s end, before {@code to}'s start), kernel
     * messages left out; lines joined with "\n".
     */
    public String textBetween(ConsoleMatch from, ConsoleMatch to) {
        lock.lock();
        try {
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
            String pending = pendingView();
            if (pendingId == to.line().id()) {
                String tail = pending.substring(0, Math.min(to.start(), pending.length()));
                if (!tail.isEmpty()) parts.add(tail);
            }
            return String.join("\n", parts);
        } finally {
            lock.unlock();
        }
    }

    private int indexOf(long id) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).id() == id) return i;
        }
        return -1;
    }

    // ---- the reader -------------------------------------------------------------------------

    private void readLoop() {
        ByteBuffer bytes = ByteBuffer.allocate(8192);
        CharBuffer chars = CharBuffer.allocate(8192);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            while (true) {
                int n = output.read(bytes);
                if (n < 0) break;
                if (n == 0) continue;
                bytes.flip();
                for (OutputStream t : taps) {
                    try {
                        t.write(bytes.array(), bytes.position(), bytes.remaining());
                        t.flush();
                    } catch (IOException e) {
                        taps.remove(t);
                    }
                }
                decoder.decode(bytes, chars, false);
                bytes.compact();
                chars.flip();
                List<Responder> fire;
                lock.lock();
                try {
                    lastChunkNanos = System.nanoTime();
                    accept(chars);
                    fire = runResponders();
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                chars.clear();
                answer(fire);
            }
        } catch (ClosedChannelException e) {
            // closed by close(): the machine is going away
        } catch (IOException e) {
            timeline.record("console", "read failed: " + e);
        } finally {
            end();
        }
    }

    /** Under the lock. */
    private void accept(CharBuffer chars) {
        while (chars.hasRemaining()) {
            char c = chars.get();
            if (c == '\n') {
                completeLine();
            } else {
                if (pendingSeconds < 0) pendingSeconds = seconds();
                pendingRaw.append(c);
                if (pendingRaw.length() >= MAX_LINE) completeLine();
            }
        }
    }

    /** Under the lock: the partial line as waits see it. */
    private String pendingView() {
        return pendingRaw.length() == 0 ? "" : redact(ConsoleText.clean(pendingRaw));
    }

    /** Under the lock. */
    private void completeLine() {
        String text = redact(ConsoleText.clean(pendingRaw));
        double started = pendingSeconds < 0 ? seconds() : pendingSeconds;
        int k = ConsoleText.embeddedKernelMessage(text);
        if (k > 0) {
            // The kernel cut into a line user space had begun: give the kernel message its own
            // line and let the user-space line continue as if nothing had come between.
            ConsoleLine kernel = new ConsoleLine(nextId++, seconds(), text.substring(k));
            moveCursors(k, lines.size(), kernel.id());
            addLine(kernel);
            pendingRaw.setLength(0);
            pendingRaw.append(text, 0, k);
            return;
        }
        addLine(new ConsoleLine(pendingId, started, text));
        pendingId = nextId++;
        pendingRaw.setLength(0);
        pendingSeconds = -1;
    }

    /** Cursors that had read past {@code k} in the partial line now point into the kernel line split from it. */
    private void moveCursors(int k, int index, long kernelId) {
        List<Cursor> all = new ArrayList<>();
        all.add(cursor);
        for (Responder r : responders) all.add(r.cursor);
        for (Cursor c : all) {
            if (c.lineId == pendingId && c.offset > k) c.set(index, kernelId, c.offset - k);
        }
    }

    private void addLine(ConsoleLine line) {
        lines.add(line);
        logLine(line.toString());
    }

    private String redact(String text) {
        for (String s : secrets) {
            if (text.contains(s)) text = text.replace(s, SECRET);
        }
        return text;
    }

    private void logLine(String text) {
        if (log == null) return;
        synchronized (log) {
            try {
                log.write(text);
                log.write('\n');
                log.flush();
            } catch (IOException e) {
                // the log is evidence, not control: a full disk must not stop the boot
            }
        }
    }

    private void end() {
        lock.lock();
        try {
            if (ended) return;
            while (pendingRaw.length() > 0) completeLine();
            ended = true;
            endSeconds = seconds();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        timeline.record(endSeconds, "console", "closed");
    }

    /** Stops reading (closing the output channel) and closes the log. Idempotent. */
    @Override
    public void close() {
        try {
            output.close();
        } catch (IOException e) {
            // closing is best effort
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        end();
        if (log != null) {
            synchronized (log) {
                try {
                    log.close();
                } catch (IOException e) {
                    // best effort
                }
            }
        }
    }
}
