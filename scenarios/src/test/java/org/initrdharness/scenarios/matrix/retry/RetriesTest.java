package org.initrdharness.scenarios.matrix.retry;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;
import org.testng.annotations.Test;

/** How a retry's outcomes are merged into the run's, without a boot. */
public class RetriesTest {

    private static TestOutcome outcome(String test, Verdict v, String artifacts) {
        return new TestOutcome("SwitchRootScenario", "trixie", "x86_64", test, v, 10, artifacts,
                v == Verdict.FAIL ? "timed out in " + artifacts : null);
    }

    @Test
    public void failedThenPassedIsFlakyFailedTwiceIsFailAndPassesAreLeftAlone() {
        List<TestOutcome> first = List.of(outcome("a", Verdict.FAIL, "/r/a1"), outcome("b", Verdict.FAIL, "/r/b1"),
                outcome("c", Verdict.PASS, "/r/c1"));
        Attempts after = Retries.merge(Attempts.none(first),
                List.of(outcome("a", Verdict.PASS, "/r/attempt-2/a"), outcome("b", Verdict.FAIL, "/r/attempt-2/b")), 2);
        Map<String, Verdict> v = new java.util.TreeMap<>();
        after.outcomes().forEach(o -> v.put(o.test(), o.verdict()));
        assertEquals(v, Map.of("a", Verdict.FLAKY, "b", Verdict.FAIL, "c", Verdict.PASS));
        TestOutcome a = after.outcomes().get(0);
        assertEquals(a.artifacts(), "/r/attempt-2/a", "the passing boot's evidence");
        assertTrue(a.message().contains("timed out in /r/a1"), "the failure's reason: " + a.message());
        assertEquals(after.earlierOf(a).stream().map(TestOutcome::artifacts).toList(), List.of("/r/a1"));
        assertEquals(after.earlierOf(after.outcomes().get(1)).stream().map(TestOutcome::artifacts).toList(), List.of("/r/b1"));
        assertEquals(after.earlierOf(after.outcomes().get(2)), List.of());
    }

    @Test
    public void aSecondRetryKeepsEveryFailedAttempt() {
        Attempts once = Retries.merge(Attempts.none(List.of(outcome("a", Verdict.FAIL, "/1"))),
                List.of(outcome("a", Verdict.FAIL, "/2")), 2);
        Attempts twice = Retries.merge(once, List.of(outcome("a", Verdict.PASS, "/3")), 3);
        TestOutcome a = twice.outcomes().get(0);
        assertEquals(a.verdict(), Verdict.FLAKY);
        assertTrue(a.message().startsWith("passed on attempt 3"), a.message());
        assertEquals(twice.earlierOf(a).stream().map(TestOutcome::artifacts).toList(), List.of("/1", "/2"));
    }

    @Test
    public void onlyTheFailedTestsAreRetried() {
        List<TestOutcome> failed = List.of(outcome("a", Verdict.FAIL, "/1"));
        assertEquals(Retries.filterOf(failed).only(), Map.of("SwitchRootScenario", Set.of("a")));
    }
}
