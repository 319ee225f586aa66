package org.initrdharness.report.profile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a boot's stage 1 spent its time, read from the console log alone, so it costs the guest
 * nothing and works for any systemd initrd (ours, dracut's): the milestones ({@link Phase}),
 * every unit's start and ready time from systemd's job messages, and the chain of units that
 * held up initrd-switch-root.target. Times are seconds since QEMU started.
 *
 * <p>The chain is read from times, not from unit files: each link is the unit that became ready
 * last before the next link began, which is what systemd-analyze's critical-chain shows when
 * that unit is an ordering dependency, as it usually is.
 *
 * @param phases when each milestone's line came
 * @param units  every unit with a job message, by the time it began
 * @param chain  initrd-switch-root.target first, then what it waited for, back to the first unit
 */
public record Stage1Profile(Map<Phase, Double> phases, List<UnitTiming> units, List<UnitTiming> chain) {

    /** The stage-2 marker of the images' root disk. */
    public static final Pattern STAGE2_MARKER = Pattern.compile("^STAGE2 \\{");

    private static final Pattern LOG_LINE = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)] (.*)$");
    /** How close a ready line may follow the start it released (they come in one burst). */
    private static final double SAME_MOMENT = 0.002;

    public Stage1Profile {
        phases = Map.copyOf(phases);
        units = List.copyOf(units);
        chain = List.copyOf(chain);
    }

    /** A console.log's profile; {@code unitNames} are names known beyond systemd's own (the initrd's units). */
    public static Stage1Profile read(Path consoleLog, Pattern stage2, Collection<String> unitNames) throws IOException {
        List<String> lines = Files.readAllLines(consoleLog, StandardCharsets.UTF_8);
        return parse(lines, stage2, unitNames);
    }

    public static Stage1Profile read(Path consoleLog) throws IOException {
        return read(consoleLog, STAGE2_MARKER, List.of());
    }

    /** The profile of console-log lines, "[seconds] text" each. */
    public static Stage1Profile parse(List<String> logLines, Pattern stage2, Collection<String> unitNames) {
        UnitNames names = new UnitNames(unitNames);
        record Seen(double seconds, String text) {}
        List<Seen> seen = new ArrayList<>();
        for (String l : logLines) {
            Matcher m = LOG_LINE.matcher(l);
            if (m.matches() && !m.group(2).startsWith(">>> ")) seen.add(new Seen(Double.parseDouble(m.group(1)), m.group(2)));
        }
        // Learn every full name first: PID 1's kmsg line may come just after its cut status line.
        for (Seen s : seen) StatusLine.parse(s.text()).ifPresent(names::learn);

        Map<Phase, Double> phases = new EnumMap<>(Phase.class);
        Map<String, Double> starts = new LinkedHashMap<>();
        Map<String, Double> readies = new LinkedHashMap<>();
        Map<String, Boolean> failed = new LinkedHashMap<>();
        for (Seen s : seen) {
            for (Phase p : Phase.values()) {
                if (p.pattern() != null && !phases.containsKey(p) && p.pattern().matcher(s.text()).find()) {
                    phases.put(p, s.seconds());
                }
            }
            if (stage2 != null && !phases.containsKey(Phase.STAGE2) && stage2.matcher(s.text()).find()) {
                phases.put(Phase.STAGE2, s.seconds());
            }
            // Only a unit's first start and first ready count: teardown stops and restarts nothing
            // that matters here, and PID 1's kmsg line and its status line say the same twice.
            Optional<StatusLine> status = StatusLine.parse(s.text());
            if (status.isEmpty()) continue;
            StatusLine st = status.get();
            String unit = names.resolve(st, s.text().contains("Reached target "));
            failed.putIfAbsent(unit, false);
            switch (st.kind()) {
                case START -> starts.putIfAbsent(unit, s.seconds());
                case READY -> readies.putIfAbsent(unit, s.seconds());
                case FAILED -> failed.put(unit, true);
            }
        }
        List<UnitTiming> units = new ArrayList<>();
        for (String u : failed.keySet()) units.add(new UnitTiming(u, starts.get(u), readies.get(u), failed.get(u)));
        units.sort(Comparator.comparing(UnitTiming::begun, Comparator.nullsLast(Comparator.naturalOrder())));
        for (Phase p : Phase.values()) {
            Double reached = p.target() == null ? null : ready(units, p.target());
            if (reached != null) phases.put(p, reached);
        }
        return new Stage1Profile(phases, units, chain(units, "initrd-switch-root.target"));
    }

    private static Double ready(List<UnitTiming> units, String name) {
        // A target that failed ("Dependency failed for ...") is listed without a ready time.
        return units.stream().filter(u -> u.unit().equals(name)).findFirst().map(UnitTiming::ready).orElse(null);
    }

    /** From {@code end} back: each time, the unit that became ready last before the current link began. */
    static List<UnitTiming> chain(List<UnitTiming> units, String end) {
        List<UnitTiming> chain = new ArrayList<>();
        UnitTiming link = units.stream().filter(u -> u.unit().equals(end) && u.ready() != null).findFirst().orElse(null);
        while (link != null) {
            chain.add(link);
            double begun = link.begun();
            UnitTiming current = link;
            link = units.stream()
                    .filter(u -> u != current && u.ready() != null && !u.failed() && !chain.contains(u))
                    .filter(u -> u.ready() <= begun + SAME_MOMENT && (u.begun() < begun || u.ready() < begun))
                    .max(Comparator.comparingDouble(UnitTiming::ready)).orElse(null);
        }
        return chain;
    }

    /** Seconds of a span between two milestones, or null when either is missing. */
    public Double span(Phase from, Phase to) {
        Double a = phases.get(from);
        Double b = phases.get(to);
        return a == null || b == null ? null : b - a;
    }

    /** The spans the reports show: QEMU start to the kernel, the kernel to /init, /init to stage 2 (stage-1 userspace). */
    public Map<String, Double> spans() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("qemu-to-kernel", phases.get(Phase.KERNEL));
        s.put("kernel-to-init", span(Phase.KERNEL, Phase.INIT));
        s.put("init-to-switch-root", span(Phase.INIT, Phase.SWITCH_ROOT));
        s.put("init-to-stage2", span(Phase.INIT, Phase.STAGE2));
        s.put("qemu-to-stage2", phases.get(Phase.STAGE2));
        return s;
    }

    /** A plain-text report: milestones, spans, units by start, the chain. */
    public String format() {
        StringBuilder sb = new StringBuilder("stage-1 profile (seconds since QEMU started, from the console log)\n\nmilestones\n");
        for (Phase p : Phase.values()) {
            sb.append(String.format(Locale.ROOT, "  %-12s %8s  %s%n", p.id(), fmt(phases.get(p)),
                    p.description() + (p.target() == null ? "" : " (" + p.target() + ")")));
        }
        sb.append("\nspans\n");
        spans().forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-20s %8s%n", k, fmt(v))));
        sb.append("\nunits (start, ready, took)\n");
        for (UnitTiming u : units) {
            sb.append(String.format(Locale.ROOT, "  %8s %8s %7s  %s%s%n", fmt(u.start()), fmt(u.ready()), fmt(u.took()),
                    u.unit(), u.failed() ? "  FAILED" : ""));
        }
        sb.append("\ncritical chain to initrd-switch-root.target (each unit: the last one ready before the next began)\n");
        for (int i = 0; i < chain.size(); i++) {
            UnitTiming u = chain.get(i);
            sb.append("  ").append(i == 0 ? "" : " ".repeat(i - 1) + "└─").append(u.unit()).append(" @").append(fmt(u.ready()));
            if (u.took() != null) sb.append(" +").append(fmt(u.took()));
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The profile as plain values for JSON. */
    public Map<String, Object> toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> ph = new LinkedHashMap<>();
        for (Phase p : Phase.values()) ph.put(p.id(), round(phases.get(p)));
        doc.put("phases", ph);
        Map<String, Object> sp = new LinkedHashMap<>();
        spans().forEach((k, v) -> sp.put(k, round(v)));
        doc.put("spans", sp);
        doc.put("units", units.stream().map(Stage1Profile::unitJson).toList());
        doc.put("criticalChain", chain.stream().map(Stage1Profile::unitJson).toList());
        return doc;
    }

    private static Map<String, Object> unitJson(UnitTiming u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", u.unit());
        m.put("start", round(u.start()));
        m.put("ready", round(u.ready()));
        m.put("took", round(u.took()));
        if (u.failed()) m.put("failed", true);
        return m;
    }

    static Double round(Double v) {
        return v == null ? null : Math.round(v * 1000) / 1000.0;
    }

    static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
