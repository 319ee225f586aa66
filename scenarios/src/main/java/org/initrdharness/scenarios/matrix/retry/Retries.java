package org.initrdharness.scenarios.matrix.retry;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.MatrixRunner;
import org.initrdharness.scenarios.matrix.ScenarioFilter;
import org.initrdharness.scenarios.matrix.Suite;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;
import org.initrdharness.scenarios.support.GuestSource;

/**
 * Boots failed tests once more, each in a fresh guest, and tells a flake from a failure: a test
 * that failed and then passed is FLAKY, never PASS; one that failed every time stays FAIL.
 */
public final class Retries {

    /** Runs the given cells, limited to the filter's tests, as attempt {@code attempt} (2 for the first retry). */
    @FunctionalInterface
    public interface Runner {
        List<TestOutcome> run(List<MatrixCell> cells, ScenarioFilter filter, int attempt) throws Exception;
    }

    private Retries() {}

    /**
     * The matrix's runner for attempt N: the same suite, guests at once and parameters, each
     * attempt's boots and TestNG reports under {@code reportDir/attempt-N}, so that the failed
     * boot's evidence stays beside the retry's.
     */
    public static Runner inAttemptDirs(Suite suite, int parallel, Path reportDir, Map<String, String> params) {
        return (cells, only, attempt) -> {
            Path dir = reportDir.resolve("attempt-" + attempt);
            Map<String, String> p = new LinkedHashMap<>(params);
            p.put(GuestSource.REPORT_DIR, dir.toAbsolutePath().toString());
            return MatrixRunner.run(cells, suite, parallel, dir, p, only, true);
        };
    }

    /** Retries the failures of {@code first} up to {@code retries} times among {@code cells}. */
    public static Attempts run(List<TestOutcome> first, List<MatrixCell> cells, int retries, Runner runner) throws Exception {
        Attempts now = Attempts.none(first);
        for (int attempt = 2; attempt <= retries + 1; attempt++) {
            List<TestOutcome> failed = now.outcomes().stream().filter(o -> o.verdict() == Verdict.FAIL).toList();
            if (failed.isEmpty()) break;
            List<MatrixCell> again = cellsOf(failed, cells);
            if (again.isEmpty()) break;
            System.out.printf("matrix: attempt %d for %d failed test(s) in %d cell(s), each in a fresh guest%n", attempt,
                    failed.size(), again.size());
            now = merge(now, runner.run(again, filterOf(failed), attempt), attempt);
        }
        return now;
    }

    /** The cells the failed tests belong to. */
    static List<MatrixCell> cellsOf(List<TestOutcome> failed, List<MatrixCell> cells) {
        Set<String> names = new TreeSet<>();
        failed.forEach(o -> names.add(o.scenario() + "[" + o.column() + "]"));
        return cells.stream().filter(c -> names.contains(c.name())).toList();
    }

    /** Only the failed methods of each class (a class failing on one arch may run that method on another too). */
    static ScenarioFilter filterOf(List<TestOutcome> failed) {
        Map<String, Set<String>> only = new LinkedHashMap<>();
        failed.forEach(o -> only.computeIfAbsent(o.scenario(), k -> new TreeSet<>()).add(o.test()));
        return new ScenarioFilter(only);
    }

    /**
     * The outcomes after attempt {@code attempt}: a failure passed this time is FLAKY (the passing
     * boot's artifacts, the failure's reason), a failure again is the new failure; the failed
     * attempt joins the earlier ones. Tests that were not failing, or that the retry did not run,
     * keep their outcome.
     */
    public static Attempts merge(Attempts before, List<TestOutcome> retry, int attempt) {
        Map<String, TestOutcome> byName = new HashMap<>();
        retry.forEach(o -> byName.put(o.fullName(), o));
        Map<String, List<TestOutcome>> earlier = new HashMap<>(before.earlier());
        List<TestOutcome> out = new ArrayList<>();
        for (TestOutcome o : before.outcomes()) {
            TestOutcome again = o.verdict() == Verdict.FAIL ? byName.get(o.fullName()) : null;
            if (again == null || again.verdict() == Verdict.SKIP) {
                out.add(o);
                continue;
            }
            List<TestOutcome> failedAttempts = new ArrayList<>(earlier.getOrDefault(o.fullName(), List.of()));
            failedAttempts.add(o);
            earlier.put(o.fullName(), List.copyOf(failedAttempts));
            if (again.verdict() == Verdict.PASS) {
                String first = failedAttempts.get(0).message();
                out.add(new TestOutcome(again.scenario(), again.release(), again.arch(), again.test(), Verdict.FLAKY,
                        again.seconds(), again.artifacts(), "passed on attempt " + attempt + " after failing: "
                                + (first == null ? "(no reason given)" : first)));
            } else {
                out.add(again);
            }
        }
        return new Attempts(out, earlier);
    }
}
