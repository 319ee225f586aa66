package org.initrdharness.scenarios.matrix.history;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;

/**
 * One matrix run as the history keeps it: when it ran and each cell's verdict.
 *
 * @param file  the history file's name, "run-20261206T021700Z.json"
 * @param date  when the run ended
 * @param cells "SwitchRootScenario[trixie/x86_64]" to the cell's verdict (its tests' combined)
 */
public record RunResults(String file, Instant date, Map<String, Verdict> cells) {

    public RunResults {
        cells = Map.copyOf(cells);
    }

    /** The cells of {@code outcomes}: a failed test fails its cell, then a flaky one makes it flaky. */
    public static Map<String, Verdict> cellsOf(Iterable<TestOutcome> outcomes) {
        Map<String, Verdict> cells = new TreeMap<>();
        for (TestOutcome o : outcomes) cells.merge(o.scenario() + "[" + o.column() + "]", o.verdict(), RunResults::worse);
        return cells;
    }

    private static Verdict worse(Verdict a, Verdict b) {
        for (Verdict v : new Verdict[] {Verdict.FAIL, Verdict.FLAKY, Verdict.PASS}) {
            if (a == v || b == v) return v;
        }
        return Verdict.SKIP;
    }
}
