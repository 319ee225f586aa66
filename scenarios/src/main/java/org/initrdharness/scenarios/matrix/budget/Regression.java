package org.initrdharness.scenarios.matrix.budget;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One result that got slower or bigger than it may.
 *
 * @param result   the test's full name ("SwitchRootScenario[bookworm/x86_64].rootByLabelReachesStage2")
 * @param scenario the scenario, and its release and arch: where the report shows it
 * @param column   "bookworm/x86_64"
 * @param test     the test method
 * @param what     "stage2", "prompt" (seconds since QEMU started) or "initrd" (bytes)
 * @param against  "budget" or "baseline"
 * @param value    what this run measured
 * @param limit    what it may be at most
 * @param previous the baseline's value, or null when compared with a budget
 * @param waited   where value, limit and previous are own times: the seconds this run's guest
 *                 waited for a host CPU, taken out of its time since QEMU started; null for wall times
 */
public record Regression(String result, String scenario, String column, String test, String what, String against,
        double value, double limit, Double previous, Double waited) {

    /**
     * "stage2 41.2 s over its budget of 40.0 s" / "stage2 22.4 s, baseline 15.1 s (limit 18.9 s)" /
     * "stage2 14.6 s of its own (30.1 s less 15.5 s waiting for a host CPU), baseline 9.2 s (limit 12.9 s)".
     */
    public String describe() {
        String unit = what.equals("initrd") ? " bytes" : " s";
        String fmt = what.equals("initrd") ? "%,.0f" : "%.1f";
        String v = String.format(Locale.ROOT, fmt, value) + unit;
        String l = String.format(Locale.ROOT, fmt, limit) + unit;
        if (previous == null) return what + " " + v + " over its budget of " + l;
        if (waited != null) {
            return what + " " + v + " of its own (" + String.format(Locale.ROOT, "%.1f s less %.1f s", value + waited, waited)
                    + " waiting for a host CPU), baseline " + String.format(Locale.ROOT, fmt, previous) + unit + " (limit " + l + ")";
        }
        return what + " " + v + ", baseline " + String.format(Locale.ROOT, fmt, previous) + unit + " (limit " + l + ")";
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", result);
        m.put("what", what);
        m.put("against", against);
        m.put("value", Math.round(value * 1000) / 1000.0);
        m.put("limit", Math.round(limit * 1000) / 1000.0);
        m.put("previous", previous == null ? null : Math.round(previous * 1000) / 1000.0);
        m.put("measure", what.equals("initrd") ? "bytes" : waited == null ? "wall" : "own");
        if (waited != null) m.put("waited", Math.round(waited * 1000) / 1000.0);
        return m;
    }
}
