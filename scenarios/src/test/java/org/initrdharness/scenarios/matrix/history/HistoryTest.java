package org.initrdharness.scenarios.matrix.history;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.initrdharness.scenarios.matrix.Verdict;
import org.testng.annotations.Test;

/** "Failing since" and the flake rate over recorded runs, without a boot. */
public class HistoryTest {
    private static final String ROOT = "SwitchRootScenario[trixie/x86_64]";
    private static final String LUKS = "LuksScenario[bookworm/aarch64]";
    private static final Instant DAY1 = Instant.parse("2026-12-01T02:17:00Z");

    private static Instant day(int n) {
        return DAY1.plusSeconds((n - 1) * 86400L);
    }

    @Test
    public void failingSinceIsTheFirstRunOfTheCurrentStreak() throws IOException {
        Path dir = Files.createTempDirectory("history");
        History.record(dir, day(1), Map.of(ROOT, Verdict.FAIL, LUKS, Verdict.PASS), 30);
        History.record(dir, day(2), Map.of(ROOT, Verdict.PASS, LUKS, Verdict.FLAKY), 30);
        History.record(dir, day(3), Map.of(ROOT, Verdict.FAIL, LUKS, Verdict.PASS), 30);
        // A night on which the cell did not run (another shard) does not break its streak.
        History.record(dir, day(4), Map.of(LUKS, Verdict.FLAKY), 30);
        History.record(dir, day(5), Map.of(ROOT, Verdict.FAIL, LUKS, Verdict.FAIL), 30);
        Map<String, CellHistory> h = History.summarize(History.load(dir));
        assertEquals(h.get(ROOT).failingSince(), day(3), "the streak started on day 3, not day 1: " + h);
        assertEquals(h.get(ROOT).streak(), 2);
        assertEquals(h.get(ROOT).flakeRate(), 0.0);
        assertEquals(h.get(ROOT).runs(), 4);
        assertEquals(h.get(LUKS).failingSince(), day(5));
        assertEquals(h.get(LUKS).flaky(), 2);
        assertEquals(h.get(LUKS).flakeRate(), 0.4, 1e-9);
        assertEquals(h.get(LUKS).flakeText(), "flaky 2/5 (40 %)");
        assertTrue(h.get(ROOT).failingText().startsWith("failing since 2026-12-03 02:17 UTC (2 runs)"),
                h.get(ROOT).failingText());
    }

    @Test
    public void aPassingOrFlakyLastRunIsNotFailing() throws IOException {
        Path dir = Files.createTempDirectory("history");
        History.record(dir, day(1), Map.of(ROOT, Verdict.FAIL), 30);
        History.record(dir, day(2), Map.of(ROOT, Verdict.FLAKY), 30);
        CellHistory h = History.summarize(History.load(dir)).get(ROOT);
        assertNull(h.failingSince());
        assertEquals(h.failingText(), "");
    }

    @Test
    public void onlyTheNewestRunsAreKept() throws IOException {
        Path dir = Files.createTempDirectory("history");
        for (int d = 1; d <= 5; d++) History.record(dir, day(d), Map.of(ROOT, d == 1 ? Verdict.FLAKY : Verdict.PASS), 3);
        List<RunResults> runs = History.load(dir);
        assertEquals(runs.stream().map(RunResults::date).toList(), List.of(day(3), day(4), day(5)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(s.count(), 3L, "older files are removed");
        }
        assertEquals(History.summarize(runs).get(ROOT).flaky(), 0, "the flake fell out of the kept runs");
    }

    @Test
    public void aFileThatIsNotARunIsNamed() throws IOException {
        Path dir = Files.createTempDirectory("history");
        Path bad = dir.resolve("run-20261201T000000Z.json");
        Files.writeString(bad, "{\"date\": \"yesterday\"}");
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> History.load(dir));
        assertTrue(e.getMessage().startsWith("--history: " + bad) && e.getMessage().endsWith("remove it"), e.getMessage());
    }
}
