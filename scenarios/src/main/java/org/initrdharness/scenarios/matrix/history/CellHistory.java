package org.initrdharness.scenarios.matrix.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One cell over the kept runs.
 *
 * @param cell          "SwitchRootScenario[trixie/x86_64]"
 * @param failingSince  the first run of the cell's current streak of failures (null when its last run did not fail)
 * @param streak        how many runs in a row it has failed, up to the last
 * @param flaky         runs in which it was flaky
 * @param runs          kept runs in which it ran (not skipped)
 */
public record CellHistory(String cell, Instant failingSince, int streak, int flaky, int runs) {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Flaky runs over the runs it ran in; 0 when it never ran. */
    public double flakeRate() {
        return runs == 0 ? 0 : (double) flaky / runs;
    }

    /** "failing since 2026-12-04 02:17 UTC (3 runs)", or "" when the cell is not failing. */
    public String failingText() {
        return failingSince == null ? "" : "failing since " + DAY.format(failingSince) + " (" + streak + " run"
                + (streak > 1 ? "s" : "") + ")";
    }

    /** "flaky 2/30 (7 %)". */
    public String flakeText() {
        return String.format(Locale.ROOT, "flaky %d/%d (%.0f %%)", flaky, runs, 100 * flakeRate());
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cell", cell);
        m.put("failingSince", failingSince == null ? null : failingSince.toString());
        m.put("failingRuns", streak);
        m.put("flakyRuns", flaky);
        m.put("runs", runs);
        m.put("flakeRate", Math.round(flakeRate() * 1000) / 1000.0);
        return m;
    }
}
