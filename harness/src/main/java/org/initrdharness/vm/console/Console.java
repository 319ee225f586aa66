package org.initrdharness.vm.console;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Timeouts;

/**
 * A guest's serial line. A reader thread passes what the guest writes through a pipeline: the
 * {@link LineAssembler} makes {@link ConsoleLine}s of it (decoded, ANSI escapes and CRs removed,
 * kernel messages that cut into a user-space line moved to their own line, secrets redacted),
 * which go to the console log, then to the {@link LineBuffer} that the waits read, then to the
 * responders. Waits wake on every chunk that arrives, so a prompt without a newline matches
 * within milliseconds.
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

    private final String where;
    private final ReadableByteChannel output;
    private final WritableByteChannel input;
    private final Timeline timeline;
    private final Timeouts timeouts;
    private final Secrets secrets = new Secrets();
    private final LineAssembler assembler = new LineAssembler(secrets); // guarded by itself
    private final ConsoleLog log;
    private final LineBuffer buffer;
    private final Responders responders;
    private final List<OutputStream> taps = new CopyOnWriteArrayList<>();
    // What was typed, as the log shows it (secrets as their placeholder): a replay names it.
    private final List<String> typed = new CopyOnWriteArrayList<>();
    private final Thread reader;

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
        this.where = Objects.requireNonNull(where);
        this.output = Objects.requireNonNull(output);
        this.input = Objects.requireNonNull(input);
        this.timeline = Objects.requireNonNull(timeline);
        this.timeouts = Objects.requireNonNull(timeouts);
        this.buffer = new LineBuffer(where, timeline, partialSettle);
        this.responders = new Responders(buffer, timeline, this::write);
        this.log = new ConsoleLog(logFile);
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
        buffer.describeEnd(description);
    }

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
        return expect(text, timeouts.deadline(timeout));
    }

    /** Waits for the literal text {@code text} by {@code deadline}. */
    public ConsoleMatch expect(String text, Deadline deadline) {
        return waitFor(Pattern.compile(Pattern.quote(text)), deadline);
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
        return waitFor(regex, timeouts.deadline(timeout));
    }

    /**
     * As {@link #waitFor(Pattern, Duration)}, by a deadline already scaled: several waits can
     * share one budget.
     */
    public ConsoleMatch waitFor(Pattern regex, Deadline deadline) {
        return buffer.waitFor(regex, deadline);
    }

    /** Waits until the console closes (the guest exited); false if it did not within {@code timeout} (scaled). */
    public boolean awaitEnd(Duration timeout) {
        return awaitEnd(timeouts.deadline(timeout));
    }

    /** Waits until the console closes (the guest exited); false if it did not by {@code deadline}. */
    public boolean awaitEnd(Deadline deadline) {
        return buffer.awaitEnd(deadline);
    }

    public boolean isEnded() {
        return buffer.isEnded();
    }

    /** Adds a failure pattern; any wait that passes over a matching line fails. */
    public void failOn(FailurePattern pattern) {
        buffer.failOn(pattern);
    }

    /** Removes a failure pattern: e.g. {@link FailurePattern#EMERGENCY_MODE} when the emergency shell is the point. */
    public void allow(FailurePattern pattern) {
        buffer.allow(pattern);
    }

    public List<FailurePattern> failurePatterns() {
        return buffer.failurePatterns();
    }

    /**
     * Types {@code answer} and Enter each time {@code prompt} shows up, once per console line:
     * a prompt redrawn on the same line (plymouth redraws after every key) is answered once.
     */
    public void respond(Pattern prompt, String answer) {
        responders.add(prompt, answer, false);
    }

    /** As {@link #respond}, but the answer is never written to the log, the timeline or a failure message. */
    public void respondSecret(Pattern prompt, String answer) {
        secrets.add(answer);
        responders.add(prompt, answer, true);
    }

    /** Types {@code text} as it is (add "\r" for Enter). */
    public void send(String text) throws IOException {
        String shown = secrets.redact(text);
        timeline.record("input", ConsoleLog.quoted(shown));
        write(text.getBytes(StandardCharsets.UTF_8), shown);
    }

    /** Types {@code text} and Enter. */
    public void sendLine(String text) throws IOException {
        send(text + "\r");
    }

    /** Types {@code secret} without Enter; logs, timeline and failure messages show "&lt;secret&gt;" instead, even where the guest echoes it. */
    public void sendSecret(String secret) throws IOException {
        secrets.add(secret);
        timeline.record("input", Secrets.PLACEHOLDER);
        write(secret.getBytes(StandardCharsets.UTF_8), Secrets.PLACEHOLDER);
    }

    /** Types {@code secret} and Enter, never logging it. */
    public void sendSecretLine(String secret) throws IOException {
        secrets.add(secret);
        timeline.record("input", Secrets.PLACEHOLDER + "\\r");
        write((secret + "\r").getBytes(StandardCharsets.UTF_8), Secrets.PLACEHOLDER + "\\r");
    }

    /** Raw bytes from a terminal (interactive use); logged as they are. */
    public void sendBytes(byte[] bytes) throws IOException {
        write(bytes, null);
    }

    /** Writes {@code bytes} to the guest and {@code logged} (unless null) to the log, one writer at a time. */
    private synchronized void write(byte[] bytes, String logged) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) input.write(b);
        if (logged != null) {
            log.input(seconds(), logged);
            typed.add(logged);
        }
    }

    /** Everything typed so far as the log shows it: secrets are "&lt;secret&gt;", a terminal's raw keys are not listed. */
    public List<String> typed() {
        return List.copyOf(typed);
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

    /** Every complete line so far. */
    public List<ConsoleLine> lines() {
        return buffer.lines();
    }

    /** The last {@code n} lines, with the partial line, as "[seconds] text". */
    public List<String> lastLines(int n) {
        return buffer.lastLines(n);
    }

    /**
     * The output between two matches (after {@code from}'s end, before {@code to}'s start), kernel
     * messages left out; lines joined with "\n".
     */
    public String textBetween(ConsoleMatch from, ConsoleMatch to) {
        return buffer.textBetween(from, to);
    }

    private void readLoop() {
        ByteBuffer bytes = ByteBuffer.allocate(8192);
        try {
            while (true) {
                bytes.clear();
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
                synchronized (assembler) {
                    List<LineEvent> events = assembler.accept(bytes, seconds());
                    // Logged before any wait can see them: input typed after a match comes after it in the log.
                    log.lines(events);
                    buffer.add(events, assembler.partial());
                }
                responders.run();
            }
        } catch (ClosedChannelException e) {
            // closed by close(): the machine is going away
        } catch (IOException e) {
            timeline.record("console", "read failed: " + e);
        } finally {
            end();
        }
    }

    private void end() {
        double at;
        synchronized (assembler) {
            if (buffer.isEnded()) return;
            at = seconds();
            List<LineEvent> last = assembler.finish(at);
            log.lines(last);
            buffer.end(last, assembler.partial(), at);
        }
        timeline.record(at, "console", "closed");
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
        log.close();
    }
}
