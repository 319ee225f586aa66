package org.initrdharness.report.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Several boots' profiles in one: the median of every milestone, span and unit (over the boots
 * that have it), and each unit's summed time, which says where a whole matrix run went.
 *
 * @param boots  how many profiles
 * @param phases median time of each milestone
 * @param spans  median of each span ({@link Stage1Profile#spans()})
 * @param units  per unit, by median begin time
 */
public record ProfileSummary(int boots, Map<Phase, Double> phases, Map<String, Double> spans, List<Unit> units) {

    /**
     * One unit over the boots.
     *
     * @param seen       in how many boots it had a job message
     * @param start      median start
     * @param ready      median ready
     * @param took       median ready - start
     * @param tookTotal  ready - start summed over the boots
     */
    public record Unit(String unit, int seen, Double start, Double ready, Double took, double tookTotal) {}

    public static ProfileSummary of(Collection<Stage1Profile> profiles) {
        Map<Phase, Double> phases = new EnumMap<>(Phase.class);
        for (Phase p : Phase.values()) {
            Double m = median(profiles.stream().map(x -> x.phases().get(p)).toList());
            if (m != null) phases.put(p, m);
        }
        Map<String, Double> spans = new LinkedHashMap<>();
        if (!profiles.isEmpty()) {
            for (String k : profiles.iterator().next().spans().keySet()) {
                spans.put(k, median(profiles.stream().map(x -> x.spans().get(k)).toList()));
            }
        }
        Map<String, List<UnitTiming>> byUnit = new LinkedHashMap<>();
        for (Stage1Profile p : profiles) {
            for (UnitTiming u : p.units()) byUnit.computeIfAbsent(u.unit(), k -> new ArrayList<>()).add(u);
        }
        List<Unit> units = new ArrayList<>();
        byUnit.forEach((name, ts) -> units.add(new Unit(name, ts.size(), median(ts, UnitTiming::start),
                median(ts, UnitTiming::ready), median(ts, UnitTiming::took),
                ts.stream().map(UnitTiming::took).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum())));
        units.sort(Comparator.comparing((Unit u) -> u.start() != null ? u.start() : u.ready(),
                Comparator.nullsLast(Comparator.naturalOrder())));
        return new ProfileSummary(profiles.size(), phases, spans, units);
    }

    public Double phase(Phase p) {
        return phases.get(p);
    }

    /** The median time a unit took, or null. */
    public Double unitTook(String unit) {
        return units.stream().filter(u -> u.unit().equals(unit)).map(Unit::took).findFirst().orElse(null);
    }

    private static Double median(List<UnitTiming> ts, Function<UnitTiming, Double> f) {
        return median(ts.stream().map(f).toList());
    }

    /** The median of the values that are there; null when none is. */
    public static Double median(List<Double> values) {
        List<Double> v = values.stream().filter(Objects::nonNull).sorted().toList();
        if (v.isEmpty()) return null;
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** For JSON: milestones, spans and units as plain values. */
    public Map<String, Object> toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("boots", boots);
        Map<String, Object> ph = new LinkedHashMap<>();
        phases.forEach((p, v) -> ph.put(p.id(), Stage1Profile.round(v)));
        doc.put("phases", ph);
        Map<String, Object> sp = new LinkedHashMap<>();
        spans.forEach((k, v) -> sp.put(k, Stage1Profile.round(v)));
        doc.put("spans", sp);
        List<Map<String, Object>> us = new ArrayList<>();
        for (Unit u : units) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", u.unit());
            m.put("boots", u.seen());
            m.put("start", Stage1Profile.round(u.start()));
            m.put("ready", Stage1Profile.round(u.ready()));
            m.put("took", Stage1Profile.round(u.took()));
            m.put("tookTotal", Stage1Profile.round(u.tookTotal()));
            us.add(m);
        }
        doc.put("units", us);
        return doc;
    }

    /**
     * Summaries side by side, one column pair (median ready, median took) each: milestones and
     * spans first, then every unit any of them has, by its begin time in the first.
     */
    public static String sideBySide(Map<String, ProfileSummary> columns) {
        StringBuilder sb = new StringBuilder();
        List<String> names = List.copyOf(columns.keySet());
        sb.append(String.format(Locale.ROOT, "%-44s", "median seconds since QEMU start"));
        for (String n : names) sb.append(String.format(Locale.ROOT, " | %-21s", n + " (" + columns.get(n).boots() + ")"));
        sb.append('\n').append(String.format(Locale.ROOT, "%-44s", ""));
        for (int i = 0; i < names.size(); i++) sb.append(String.format(Locale.ROOT, " | %10s %10s", "at", "took"));
        sb.append('\n');
        for (Phase p : Phase.values()) {
            sb.append(String.format(Locale.ROOT, "%-44s", "milestone " + p.id()));
            for (String n : names) sb.append(String.format(Locale.ROOT, " | %10s %10s", Stage1Profile.fmt(columns.get(n).phase(p)), ""));
            sb.append('\n');
        }
        for (String k : columns.get(names.get(0)).spans().keySet()) {
            sb.append(String.format(Locale.ROOT, "%-44s", "span " + k));
            for (String n : names) sb.append(String.format(Locale.ROOT, " | %10s %10s", "", Stage1Profile.fmt(columns.get(n).spans().get(k))));
            sb.append('\n');
        }
        List<String> unitNames = new ArrayList<>();
        for (String n : names) {
            for (Unit u : columns.get(n).units()) if (!unitNames.contains(u.unit())) unitNames.add(u.unit());
        }
        for (String unit : unitNames) {
            sb.append(String.format(Locale.ROOT, "%-44s", unit.length() > 44 ? unit.substring(0, 43) + "…" : unit));
            for (String n : names) {
                Unit u = columns.get(n).units().stream().filter(x -> x.unit().equals(unit)).findFirst().orElse(null);
                sb.append(u == null ? String.format(Locale.ROOT, " | %10s %10s", "", "")
                        : String.format(Locale.ROOT, " | %10s %10s", Stage1Profile.fmt(u.ready()), Stage1Profile.fmt(u.took())));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
