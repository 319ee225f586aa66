package org.initrdharness.scenarios.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.profile.BootProfiles;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.scenarios.matrix.budget.Regression;
import org.initrdharness.scenarios.matrix.history.CellHistory;
import org.initrdharness.scenarios.matrix.retry.Attempts;

/** The matrix at a glance: scenario × (release, arch) with verdict and time, and the same as JSON. */
public final class MatrixReport {
    private final List<TestOutcome> outcomes;
    private final List<Regression> regressions;
    private final Attempts attempts;
    private final Map<String, CellHistory> history;

    public MatrixReport(List<TestOutcome> outcomes) {
        this(outcomes, List.of());
    }

    /** The outcomes with the regressions found in them (over budget, slower than the baseline). */
    public MatrixReport(List<TestOutcome> outcomes, List<Regression> regressions) {
        this(Attempts.none(outcomes), regressions, Map.of());
    }

    /** As above, with the failed attempts before each retried test's last, and each cell's history (may be empty). */
    public MatrixReport(Attempts attempts, List<Regression> regressions, Map<String, CellHistory> history) {
        this.outcomes = attempts.outcomes();
        this.regressions = List.copyOf(regressions);
        this.attempts = attempts;
        this.history = Map.copyOf(history);
    }

    public boolean anyFlaky() {
        return outcomes.stream().anyMatch(o -> o.verdict() == Verdict.FLAKY);
    }

    public List<Regression> regressions() {
        return regressions;
    }

    public boolean anyFailed() {
        return outcomes.stream().anyMatch(o -> o.verdict() == Verdict.FAIL);
    }

    /** Per scenario and column (release/arch): the combined verdict and the summed seconds. */
    Map<String, Map<String, Cell>> table() {
        Map<String, Map<String, Cell>> rows = new TreeMap<>();
        for (TestOutcome o : outcomes) {
            rows.computeIfAbsent(o.scenario(), k -> new TreeMap<>())
                    .merge(o.column(), new Cell(o.verdict(), o.seconds(), o.verdict() == Verdict.FAIL ? 1 : 0, 1),
                            Cell::plus);
        }
        return rows;
    }

    record Cell(Verdict verdict, double seconds, int failed, int tests) {
        Cell plus(Cell o) {
            return new Cell(Verdict.combine(verdict, o.verdict), seconds + o.seconds, failed + o.failed, tests + o.tests);
        }
    }

    public void printSummary(PrintStream out, double wallSeconds) {
        Map<String, Map<String, Cell>> rows = table();
        TreeSet<String> arches = new TreeSet<>();
        rows.values().forEach(m -> arches.addAll(m.keySet()));
        StringBuilder header = new StringBuilder(String.format("%-30s", "scenario"));
        arches.forEach(a -> header.append(String.format(" | %-20s", a)));
        out.println();
        out.println(header);
        out.println("-".repeat(header.length()));
        rows.forEach((scenario, byArch) -> {
            StringBuilder line = new StringBuilder(String.format("%-30s", scenario));
            for (String a : arches) {
                Cell c = byArch.get(a);
                String text = c == null ? "-" : String.format("%s %d/%d %.0fs", c.verdict(),
                        c.tests() - c.failed(), c.tests(), c.seconds());
                line.append(String.format(" | %-20s", text));
            }
            out.println(line);
        });
        long passed = outcomes.stream().filter(o -> o.verdict() == Verdict.PASS).count();
        long failed = outcomes.stream().filter(o -> o.verdict() == Verdict.FAIL).count();
        long skipped = outcomes.stream().filter(o -> o.verdict() == Verdict.SKIP).count();
        long flaky = outcomes.stream().filter(o -> o.verdict() == Verdict.FLAKY).count();
        out.printf("%nmatrix: %d passed, %d failed, %d flaky, %d skipped in %.1f s%n", passed, failed, flaky, skipped,
                wallSeconds);
        if (!regressions.isEmpty()) out.printf("%d regression(s): boots over their budget or slower than the baseline%n", regressions.size());
        for (Regression r : regressions) out.printf("  REGRESSION %s (%s): %s%n", r.result(), r.against(), r.describe());
        for (TestOutcome o : outcomes) {
            if (o.verdict() == Verdict.FAIL) {
                out.printf("  FAILED %s: %s%n", o.fullName(), o.message());
                if (o.artifacts() != null) out.printf("         artifacts: %s%n", o.artifacts());
                earlierArtifacts(out, o);
                CellHistory h = history.get(o.scenario() + "[" + o.column() + "]");
                if (h != null) out.printf("         %s, %s%n", h.failingText(), h.flakeText());
            } else if (o.verdict() == Verdict.FLAKY) {
                out.printf("  FLAKY  %s: %s%n", o.fullName(), o.message());
                if (o.artifacts() != null) out.printf("         passing attempt: %s%n", o.artifacts());
                earlierArtifacts(out, o);
                CellHistory h = history.get(o.scenario() + "[" + o.column() + "]");
                if (h != null) out.printf("         %s over the kept runs%n", h.flakeText());
            } else if (o.verdict() == Verdict.SKIP && o.message() != null) {
                out.printf("  skipped %s: %s%n", o.fullName(), o.message());
            }
        }
    }

    private void earlierArtifacts(PrintStream out, TestOutcome o) {
        List<TestOutcome> before = attempts.earlierOf(o);
        for (int i = 0; i < before.size(); i++) {
            out.printf("         attempt %d failed: %s%n", i + 1, before.get(i).artifacts());
        }
    }

    /**
     * Writes the HTML report in {@code dir}: {@code index.html} (failures first, then the
     * scenario × release/arch grid), a page per cell and one per boot; see {@link MatrixHtml}.
     */
    public Path writeHtml(Path dir, String title) throws IOException {
        return MatrixHtml.write(attempts, regressions, history, dir, title);
    }

    /** Writes the outcomes as JSON (temp file, then rename). */
    public void writeJson(Path file, Map<String, Object> meta) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>(meta);
        List<Map<String, Object>> results = new ArrayList<>();
        Map<String, List<Stage1Profile>> profiles = new TreeMap<>();
        for (TestOutcome o : outcomes) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("scenario", o.scenario());
            r.put("release", o.release());
            r.put("arch", o.arch());
            r.put("test", o.test());
            r.put("verdict", o.verdict().name().toLowerCase());
            r.put("seconds", Math.round(o.seconds() * 10) / 10.0);
            r.put("artifacts", o.artifacts());
            r.put("message", o.message());
            List<TestOutcome> before = attempts.earlierOf(o);
            if (!before.isEmpty()) {
                r.put("failedAttempts", before.stream().map(b -> {
                    Map<String, Object> a = new LinkedHashMap<>();
                    a.put("artifacts", b.artifacts());
                    a.put("message", b.message());
                    a.put("seconds", Math.round(b.seconds() * 10) / 10.0);
                    return a;
                }).toList());
            }
            if (o.artifacts() != null) {
                BootMilestones.of(Path.of(o.artifacts())).ifPresent(m -> r.putAll(m.toJson()));
            }
            BootProfiles.of(o.artifacts()).ifPresent(p -> {
                r.put("stage1", BootProfiles.spans(p));
                profiles.computeIfAbsent(o.release() + "/" + o.arch(), k -> new ArrayList<>()).add(p);
            });
            results.add(r);
        }
        doc.put("results", results);
        if (!history.isEmpty()) doc.put("history", history.values().stream().map(CellHistory::toJson).toList());
        doc.put("regressions", regressions.stream().map(Regression::toJson).toList());
        doc.put("stage1Profile", BootProfiles.summaries(profiles));
        AtomicFiles.write(file.toAbsolutePath(),
                out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, doc));
    }

    /** The outcomes of a file {@link #writeJson} wrote (a previous run's, or the smoke suite's). */
    public static List<TestOutcome> readJson(Path file) throws IOException {
        JsonNode doc = new ObjectMapper().readTree(file.toFile());
        List<TestOutcome> out = new ArrayList<>();
        for (JsonNode r : doc.path("results")) {
            out.add(new TestOutcome(r.path("scenario").asText(), text(r.path("release")), r.path("arch").asText(),
                    r.path("test").asText(), Verdict.valueOf(r.path("verdict").asText().toUpperCase(Locale.ROOT)),
                    r.path("seconds").asDouble(), text(r.path("artifacts")), text(r.path("message"))));
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
