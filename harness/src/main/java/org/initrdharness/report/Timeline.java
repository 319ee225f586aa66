package org.initrdharness.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.files.AtomicFiles;

/**
 * What happened during one boot, in order, with seconds since QEMU started: QEMU start and exit,
 * console matches, failures, input sent (secrets as "&lt;secret&gt;"), QMP events.
 */
public final class Timeline {

    /** One event: when (seconds since QEMU started), what kind, and what. */
    public record Event(double seconds, String kind, String text) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%9.3f  %-10s %s", seconds, kind, text);
        }
    }

    private final long startNanos;
    private final List<Event> events = new ArrayList<>();

    /** A timeline whose clock starts at {@code startNanos} ({@link System#nanoTime()}). */
    public Timeline(long startNanos) {
        this.startNanos = startNanos;
    }

    public long startNanos() {
        return startNanos;
    }

    /** Seconds since the start. */
    public double now() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public void record(String kind, String text) {
        record(now(), kind, text);
    }

    public synchronized void record(double seconds, String kind, String text) {
        events.add(new Event(seconds, kind, text));
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** One event a line. */
    public synchronized String format() {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) sb.append(e).append('\n');
        return sb.toString();
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, format());
    }

    private static final Pattern EVENT = Pattern.compile("^\\s*(\\d+\\.\\d+)  (\\S+)\\s+(.*)$");

    /**
     * The events of a written timeline; an event's text may span lines (QEMU's own words in a
     * start event), which are joined back to it. Empty when there is no such file.
     */
    public static List<Event> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return List.of();
        List<Event> out = new ArrayList<>();
        for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n")) {
            Matcher m = EVENT.matcher(line);
            if (m.matches()) {
                out.add(new Event(Double.parseDouble(m.group(1)), m.group(2), m.group(3)));
            } else if (!out.isEmpty()) {
                Event last = out.remove(out.size() - 1);
                out.add(new Event(last.seconds(), last.kind(), last.text() + "\n" + line));
            }
        }
        return out;
    }
}
