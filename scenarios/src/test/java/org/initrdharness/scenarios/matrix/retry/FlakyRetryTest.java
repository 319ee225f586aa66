package org.initrdharness.scenarios.matrix.retry;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.initrdharness.images.Release;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.MatrixReport;
import org.initrdharness.scenarios.matrix.MatrixRunner;
import org.initrdharness.scenarios.matrix.ScenarioFilter;
import org.initrdharness.scenarios.matrix.Suite;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;
import org.initrdharness.scenarios.matrix.history.CellHistory;
import org.initrdharness.scenarios.matrix.history.History;
import org.initrdharness.scenarios.support.GuestSource;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.FlakyOnceScenario;
import org.testng.annotations.Test;

/**
 * A scenario that fails on the run's first boot only, run by the matrix with one retry: two
 * real busybox boots under TCG. It must come out FLAKY (not pass, not fail) with both boots'
 * evidence linked from the HTML, and the history must count it.
 */
public class FlakyRetryTest {
    private static final Path RUN = Path.of("target", "flaky-run").toAbsolutePath();

    @Test
    public void failedThenPassedIsFlakyWithBothBootsKept() throws Exception {
        deleteTree(RUN);
        Release release = Release.values()[0];
        List<MatrixCell> cells = List.of(new MatrixCell(FlakyOnceScenario.class, release, Arch.X86_64));
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GuestSource.REPORT_DIR, RUN.toString());
        long t0 = System.nanoTime();
        List<TestOutcome> first = MatrixRunner.run(cells, Suite.SMOKE, 1, RUN, params, ScenarioFilter.ALL, true);
        assertEquals(first.size(), 1, "one test: " + first);
        assertEquals(first.get(0).verdict(), Verdict.FAIL, "the first boot of the run fails: " + first);

        Attempts attempts = Retries.run(first, cells, 1, Retries.inAttemptDirs(Suite.SMOKE, 1, RUN, params));
        System.out.printf("flaky scenario, first boot and one retry: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        TestOutcome flaky = attempts.outcomes().get(0);
        assertEquals(flaky.verdict(), Verdict.FLAKY, "failed then passed: " + attempts.outcomes());
        assertTrue(flaky.message().contains("fails on purpose"), flaky.message());
        List<TestOutcome> before = attempts.earlierOf(flaky);
        assertEquals(before.size(), 1, "the failed attempt is kept: " + attempts.earlier());
        assertNotEquals(before.get(0).artifacts(), flaky.artifacts(), "each attempt has its own artifacts");
        for (String dir : List.of(before.get(0).artifacts(), flaky.artifacts())) {
            assertTrue(Files.readString(Path.of(dir, "console.log")).contains("HARNESS-MARKER"), dir);
        }

        Path history = RUN.resolve("history");
        Instant now = Instant.now();
        String cell = flaky.scenario() + "[" + flaky.column() + "]";
        History.record(history, now.minusSeconds(2 * 86400), Map.of(cell, Verdict.PASS), 30);
        History.record(history, now.minusSeconds(86400), Map.of(cell, Verdict.FAIL), 30);
        Map<String, CellHistory> kept = History.update(history, now, attempts.outcomes(), 30);
        assertEquals(kept.get(cell).flaky(), 1, "history counts the flake: " + kept);
        assertEquals(kept.get(cell).runs(), 3);
        assertEquals(kept.get(cell).failingSince(), null, "a flaky run ends a streak of failures");

        MatrixReport report = new MatrixReport(attempts, List.of(), kept);
        assertFalse(report.anyFailed(), "flaky is not a failure");
        assertTrue(report.anyFlaky());
        Path index = report.writeHtml(RUN, "flaky test");
        String html = Files.readString(index);
        assertTrue(html.contains("id=\"flaky\"") && html.contains("1 flaky") && html.contains("0 passed"), html);
        assertTrue(html.contains("flaky 1/3"), "the grid shows the flake rate: " + html);
        Path cellPage;
        try (Stream<Path> s = Files.list(RUN.resolve("cells"))) {
            cellPage = s.filter(p -> p.getFileName().toString().startsWith("FlakyOnceScenario")).findFirst().orElseThrow();
        }
        String page = Files.readString(cellPage);
        assertTrue(page.contains("<span class=\"FLAKY\">FLAKY</span>"), page);
        int link = page.indexOf("class=\"attempt\" href=\"");
        assertTrue(link > 0, "the failed attempt is linked: " + page);
        String href = page.substring(link + 22, page.indexOf('"', link + 22));
        Path target = cellPage.getParent().resolve(href.substring(0, href.indexOf('#'))).normalize();
        assertTrue(Files.isRegularFile(target), "the failed attempt's page exists: " + target);
        assertTrue(target.startsWith(Path.of(before.get(0).artifacts())), target + " is the failed boot's");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.delete(p);
        }
    }
}
