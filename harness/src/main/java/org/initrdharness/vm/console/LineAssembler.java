package org.initrdharness.vm.console;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the bytes a guest writes into lines: UTF-8 decoding across chunk boundaries, ANSI
 * escapes and CRs removed ({@link ConsoleText}), a kernel message that cut into a user-space
 * line moved to its own line, endless lines cut at {@link Console#MAX_LINE}, secrets redacted.
 * No threads and no clock: the caller passes the time and owns the lock.
 */
final class LineAssembler {
    private final Secrets secrets;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] carry = new byte[0];
    private final StringBuilder pendingRaw = new StringBuilder();
    private long nextId = 1;
    private long pendingId = nextId++;
    private double pendingSeconds = -1;

    LineAssembler(Secrets secrets) {
        this.secrets = secrets;
    }

    /**
     * Takes all of {@code chunk}, which arrived at {@code now} (seconds since QEMU started); the
     * bytes of a character cut off at its end wait for the next chunk.
     */
    List<LineEvent> accept(ByteBuffer chunk, double now) {
        ByteBuffer bytes = ByteBuffer.allocate(carry.length + chunk.remaining());
        bytes.put(carry).put(chunk).flip();
        CharBuffer chars = CharBuffer.allocate(bytes.remaining() + 1);
        decoder.decode(bytes, chars, false);
        carry = new byte[bytes.remaining()];
        bytes.get(carry);
        chars.flip();
        List<LineEvent> events = new ArrayList<>();
        while (chars.hasRemaining()) {
            char c = chars.get();
            if (c == '\n') {
                completeLine(now, events);
            } else {
                if (pendingSeconds < 0) pendingSeconds = now;
                pendingRaw.append(c);
                if (pendingRaw.length() >= Console.MAX_LINE) completeLine(now, events);
            }
        }
        return events;
    }

    /** The console closed: whatever is left of the partial line becomes lines. */
    List<LineEvent> finish(double now) {
        List<LineEvent> events = new ArrayList<>();
        while (pendingRaw.length() > 0) completeLine(now, events);
        return events;
    }

    /** The line still without its newline, as waits see it (text may be empty); its id stays when it completes. */
    ConsoleLine partial() {
        String text = pendingRaw.length() == 0 ? "" : secrets.redact(ConsoleText.clean(pendingRaw));
        return new ConsoleLine(pendingId, pendingSeconds, text);
    }

    private void completeLine(double now, List<LineEvent> events) {
        String text = secrets.redact(ConsoleText.clean(pendingRaw));
        double started = pendingSeconds < 0 ? now : pendingSeconds;
        int k = ConsoleText.embeddedKernelMessage(text);
        if (k > 0) {
            // The kernel cut into a line user space had begun: give the kernel message its own
            // line and let the user-space line continue as if nothing had come between.
            events.add(new LineEvent.SplitOff(new ConsoleLine(nextId++, now, text.substring(k)), pendingId, k));
            pendingRaw.setLength(0);
            pendingRaw.append(text, 0, k);
            return;
        }
        events.add(new LineEvent.Completed(new ConsoleLine(pendingId, started, text)));
        pendingId = nextId++;
        pendingRaw.setLength(0);
        pendingSeconds = -1;
    }
}
