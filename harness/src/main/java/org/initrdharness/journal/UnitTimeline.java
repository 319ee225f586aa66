package org.initrdharness.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which stage-1 unit started and finished when, read from PID 1's messages in a journal that
 * journald forwarded to a console ("[   5.123456] systemd[1]: Started foo.service - Foo.").
 * Times are the guest's monotonic clock, as the kernel's own lines.
 */
public final class UnitTimeline {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)\\]\\s+systemd\\[1\\]:\\s+(.*)$");
    private static final Pattern START = Pattern.compile("^(?:Starting|Mounting|Expecting device|Activating swap) (.+?)\\.\\.\\.$");
    private static final Pattern READY = Pattern.compile(
            "^(?:Started|Finished|Mounted|Reached target|Listening on|Found device|Set up automount|Created slice|Activated swap) (.+?)\\.$");
    private static final Pattern FAILED = Pattern.compile(
            "^(Failed to start|Failed to mount|Timed out waiting for device|Dependency failed for) (.+?)\\.$");
    private static final Pattern STOP = Pattern.compile("^(?:Stopped target|Stopped|Unmounted|Closed) (.+?)\\.$");
    private static final Pattern RESULT = Pattern.compile("^([^\\s:]+\\.[a-z]+): (Failed with result '[^']+'|Main process exited, .*)\\.?$");
    private static final Pattern UNIT = Pattern.compile("^(\\S+\\.(?:service|target|mount|socket|path|timer|device|swap|slice|automount))(?: - .*)?$");

    /** One unit: when it was started (or first waited for), became ready, failed or stopped, and why it failed. */
    public record Unit(String name, String text, Double start, Double ready, Double failed, Double stopped, List<String> notes) {
        public boolean isFailed() {
            return failed != null;
        }
    }

    private final List<Unit> units;
    private final int lines;

    private UnitTimeline(List<Unit> units, int lines) {
        this.units = List.copyOf(units);
        this.lines = lines;
    }

    public List<Unit> units() {
        return units;
    }

    public List<Unit> failed() {
        return units.stream().filter(Unit::isFailed).toList();
    }

    public static UnitTimeline read(Path journal) throws IOException {
        return parse(Files.readAllLines(journal, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    public static UnitTimeline parse(List<String> journal) {
        Map<String, Builder> byName = new LinkedHashMap<>();
        int n = 0;
        for (String raw : journal) {
            Matcher l = LINE.matcher(raw.replace("\r", ""));
            if (!l.matches()) continue;
            n++;
            double t = Double.parseDouble(l.group(1));
            String msg = l.group(2).strip();
            Matcher m;
            if ((m = START.matcher(msg)).matches()) {
                unit(byName, m.group(1)).start(t);
            } else if ((m = READY.matcher(msg)).matches()) {
                unit(byName, m.group(1)).ready(t);
            } else if ((m = FAILED.matcher(msg)).matches()) {
                unit(byName, m.group(2)).fail(t, m.group(1).toLowerCase(Locale.ROOT));
            } else if ((m = STOP.matcher(msg)).matches()) {
                unit(byName, m.group(1)).stop(t);
            } else if ((m = RESULT.matcher(msg)).matches()) {
                unit(byName, m.group(1)).note(m.group(2));
            }
        }
        List<Unit> out = new ArrayList<>();
        for (Builder b : byName.values()) out.add(b.build());
        out.sort((a, b) -> Double.compare(first(a), first(b)));
        return new UnitTimeline(out, n);
    }

    private static double first(Unit u) {
        for (Double d : new Double[] {u.start(), u.ready(), u.failed(), u.stopped()}) if (d != null) return d;
        return Double.MAX_VALUE;
    }

    /** The unit a message names: "foo.service - Foo" (systemd's combined format) or a bare description. */
    private static Builder unit(Map<String, Builder> byName, String text) {
        Matcher u = UNIT.matcher(text);
        String name = u.matches() ? u.group(1) : text;
        return byName.computeIfAbsent(name, k -> new Builder(k, text));
    }

    /** A table: start, ready, failed, stopped (seconds), the unit, and what went wrong. */
    public String format() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "stage-1 units from the journal (%d lines of PID 1; seconds since the kernel started)%n", lines));
        sb.append(String.format(Locale.ROOT, "%9s %9s %9s %9s  %s%n", "start", "ready", "failed", "stopped", "unit"));
        for (Unit u : units) {
            sb.append(String.format(Locale.ROOT, "%9s %9s %9s %9s  %s%s%n", time(u.start()), time(u.ready()), time(u.failed()),
                    time(u.stopped()), u.text(), u.notes().isEmpty() ? "" : "  (" + String.join("; ", u.notes()) + ")"));
        }
        List<Unit> failed = failed();
        if (!failed.isEmpty()) {
            sb.append("failed:");
            for (Unit f : failed) sb.append(' ').append(f.name());
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String time(Double t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.3f", t);
    }

    private static final class Builder {
        final String name;
        final String text;
        Double start;
        Double ready;
        Double failed;
        Double stopped;
        final List<String> notes = new ArrayList<>();

        Builder(String name, String text) {
            this.name = name;
            this.text = text;
        }

        void start(double t) { if (start == null) start = t; }
        void ready(double t) { if (ready == null) ready = t; }
        void stop(double t) { stopped = t; }

        void fail(double t, String how) {
            if (failed == null) failed = t;
            notes.add(how);
        }

        void note(String s) { notes.add(s); }

        Unit build() {
            return new Unit(name, text, start, ready, failed, stopped, List.copyOf(notes));
        }
    }
}
