package org.initrdharness.scenarios.matrix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.initrdharness.cli.CliCommand;
import org.initrdharness.scenarios.ScenarioCatalog;
import org.initrdharness.scenarios.support.GuestSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code initrd-harness soak}: the same suite run N times in a row, to find tests that fail only
 * sometimes. Each test ends as pass (passed every run), flake (passed and failed) or fail (never
 * passed); the slowest boots and every failure's reason are listed.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Runs a suite N times in a row and reports, per test, pass, flake or fail counts and the slowest runs.",
                "Exit status: 0 when every test passed every run, 1 otherwise, 2 on bad options."})
public final class SoakCommand implements CliCommand, Callable<Integer> {

    @Option(names = "--suite", defaultValue = "smoke", description = "smoke or nightly (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--runs", defaultValue = "20", paramLabel = "N", description = "runs in a row (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--release", paramLabel = "RELEASE", description = "bookworm or trixie; repeat for both (default: the suite's)")
    List<String> releases = new ArrayList<>();

    @Option(names = "--arch", paramLabel = "ARCH", description = "x86_64 or aarch64; repeat for both (default: both)")
    List<String> arches = new ArrayList<>();

    @Option(names = "--parallel", defaultValue = "2", paramLabel = "N", description = "guests at once (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "target/soak",
            description = "each run's artifacts go to DIR/run-<i> (default: ${DEFAULT-VALUE})")
    Path reportDir;

    /** What one test did over all runs. */
    record Tally(int passed, int failed, double slowest, List<String> reasons) {
        Tally add(TestOutcome o) {
            List<String> r = new ArrayList<>(reasons);
            if (o.verdict() == Verdict.FAIL && o.message() != null) r.add(o.message());
            return new Tally(passed + (o.verdict() == Verdict.PASS ? 1 : 0), failed + (o.verdict() == Verdict.FAIL ? 1 : 0),
                    Math.max(slowest, o.seconds()), r);
        }

        String verdict() {
            return failed == 0 ? "pass" : passed == 0 ? "fail" : "flake";
        }
    }

    @Override
    public Integer call() {
        Selection sel;
        try {
            sel = Selection.parse(suite, releases, arches);
            if (runs < 1 || runs > 10_000) throw new IllegalArgumentException("--runs must be 1 to 10000, not " + runs);
            if (parallel < 1 || parallel > 64) throw new IllegalArgumentException("--parallel must be 1 to 64, not " + parallel);
        } catch (IllegalArgumentException e) {
            System.err.println("soak: " + e.getMessage());
            return 2;
        }
        Suite s = sel.suite();
        List<MatrixCell> cells = MatrixRunner.cells(ScenarioCatalog.all(), s, sel.releases(), sel.arches());
        Map<String, Tally> tallies = new TreeMap<>();
        List<TestOutcome> all = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 1; i <= runs; i++) {
            Path dir = reportDir.resolve("run-" + i).toAbsolutePath();
            Map<String, String> params = new LinkedHashMap<>();
            params.put(GuestSource.REPORT_DIR, dir.toString());
            long t0 = System.nanoTime();
            List<TestOutcome> outcomes = MatrixRunner.run(cells, s, parallel, dir, params, false);
            all.addAll(outcomes);
            for (TestOutcome o : outcomes) {
                if (o.verdict() == Verdict.SKIP) continue;
                tallies.merge(o.fullName(), new Tally(0, 0, 0, List.of()).add(o), (old, fresh) -> old.add(o));
            }
            long failed = outcomes.stream().filter(o -> o.verdict() == Verdict.FAIL).count();
            System.out.printf(Locale.ROOT, "soak: run %d of %d: %d tests, %d failed, %.1f s%n", i, runs, outcomes.size(),
                    failed, (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%nsoak: suite %s, %d runs in %.1f s%n", s.id(), runs, (System.nanoTime() - start) / 1e9);
        int flakes = 0;
        int fails = 0;
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            System.out.printf(Locale.ROOT, "%-5s %3d/%-3d slowest %6.1f s  %s%n", t.verdict(), t.passed(), t.passed() + t.failed(),
                    t.slowest(), e.getKey());
            if (t.verdict().equals("flake")) flakes++;
            if (t.verdict().equals("fail")) fails++;
            for (String r : t.reasons()) System.out.println("      " + r);
        }
        System.out.println("soak: the slowest runs:");
        all.stream().filter(o -> o.verdict() != Verdict.SKIP).sorted(Comparator.comparingDouble(TestOutcome::seconds).reversed())
                .limit(5).forEach(o -> System.out.printf(Locale.ROOT, "  %6.1f s %s (%s)%n", o.seconds(), o.fullName(), o.artifacts()));
        System.out.printf("soak: %d tests: %d passed every run, %d flaky, %d failed every run%n", tallies.size(),
                tallies.size() - flakes - fails, flakes, fails);
        return flakes + fails == 0 && !tallies.isEmpty() ? 0 : 1;
    }
}
