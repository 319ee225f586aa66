package org.initrdharness.scenarios.matrix.retry;

import java.util.List;
import java.util.Map;
import org.initrdharness.scenarios.matrix.TestOutcome;

/**
 * A run's outcomes after its retries, and the failed attempts that came before each retried test's
 * last one, so that their evidence (artifact directories) stays reachable.
 *
 * @param outcomes the last word on every test: a failure that passed when booted again is FLAKY
 * @param earlier  full test name to its failed earlier attempts, oldest first
 */
public record Attempts(List<TestOutcome> outcomes, Map<String, List<TestOutcome>> earlier) {

    public Attempts {
        outcomes = List.copyOf(outcomes);
        earlier = Map.copyOf(earlier);
    }

    /** A run with no retry. */
    public static Attempts none(List<TestOutcome> outcomes) {
        return new Attempts(outcomes, Map.of());
    }

    public List<TestOutcome> earlierOf(TestOutcome o) {
        return earlier.getOrDefault(o.fullName(), List.of());
    }
}
