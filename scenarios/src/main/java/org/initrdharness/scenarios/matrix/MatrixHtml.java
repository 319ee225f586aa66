package org.initrdharness.scenarios.matrix;

import java.io.IOException;
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
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.html.BootPage;
import org.initrdharness.report.html.BootView;
import org.initrdharness.report.html.Html;
import org.initrdharness.scenarios.matrix.budget.Regression;
import org.initrdharness.scenarios.matrix.history.CellHistory;
import org.initrdharness.scenarios.matrix.retry.Attempts;
import org.initrdharness.vm.HostSpeed;

/**
 * The matrix as static pages that open from a copied directory (no server, no scripts, no
 * fonts or styles from elsewhere): {@code index.html} with the failures first (reason and last
 * console lines) and the scenario × release/arch grid; a page per cell under {@code cells/} with
 * each test's timeline, highlighted lines, artifacts and repro command; and each boot's own
 * {@value BootView#PAGE} with its whole console log.
 */
final class MatrixHtml {
    static final String CELLS = "cells";
    private static final int TAIL_LINES = 15;

    private final Path dir;
    private final String title;
    private final Map<String, Map<String, List<TestOutcome>>> grid = new TreeMap<>();
    private final Map<TestOutcome, BootView> views = new LinkedHashMap<>();
    private final List<Regression> regressions;
    private final Attempts attempts;
    private final Map<String, CellHistory> history;

    private MatrixHtml(Attempts attempts, List<Regression> regressions, Map<String, CellHistory> history, Path dir,
            String title) {
        this.dir = dir.toAbsolutePath().normalize();
        this.title = title;
        this.regressions = List.copyOf(regressions);
        this.attempts = attempts;
        this.history = history;
        for (TestOutcome o : attempts.outcomes()) {
            grid.computeIfAbsent(o.scenario(), k -> new TreeMap<>()).computeIfAbsent(o.column(), k -> new ArrayList<>()).add(o);
            view(o);
        }
    }

    /** Writes every page; returns index.html. */
    static Path write(Attempts attempts, List<Regression> regressions, Map<String, CellHistory> history, Path dir,
            String title) throws IOException {
        return new MatrixHtml(attempts, regressions, history, dir, title).write();
    }

    private void view(TestOutcome o) {
        if (o.artifacts() == null || !Files.isDirectory(Path.of(o.artifacts()))) return;
        try {
            views.put(o, BootView.load(Path.of(o.artifacts())));
        } catch (IOException | RuntimeException e) {
            // a boot whose evidence cannot be read is still listed, without its pages
        }
    }

    private Path write() throws IOException {
        Files.createDirectories(dir.resolve(CELLS));
        for (var row : grid.entrySet()) {
            for (var cell : row.getValue().entrySet()) writeCell(row.getKey(), cell.getKey(), cell.getValue());
        }
        Path index = dir.resolve("index.html");
        AtomicFiles.write(index, index());
        return index;
    }

    static String cellFile(String scenario, String column) {
        return CELLS + "/" + scenario + "_" + column.replace('/', '_') + ".html";
    }

    private String index() {
        List<TestOutcome> all = grid.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream).toList();
        long passed = all.stream().filter(o -> o.verdict() == Verdict.PASS).count();
        long failed = all.stream().filter(o -> o.verdict() == Verdict.FAIL).count();
        long skipped = all.stream().filter(o -> o.verdict() == Verdict.SKIP).count();
        long flaky = all.stream().filter(o -> o.verdict() == Verdict.FLAKY).count();
        StringBuilder b = new StringBuilder(Html.head(title));
        b.append("<h1>").append(Html.esc(title)).append("</h1>\n<p>").append(passed).append(" passed, ").append(failed)
                .append(" failed, ").append(flaky).append(" flaky, ").append(skipped).append(" skipped</p>\n");
        String speed = HostSpeed.summary();
        if (!speed.isEmpty()) b.append("<p class=\"muted\" id=\"host-speed\">host speed: ").append(Html.esc(speed)).append("</p>\n");
        if (failed > 0) {
            b.append("<h2 id=\"failures\">Failures</h2>\n");
            for (TestOutcome o : all) {
                if (o.verdict() != Verdict.FAIL) continue;
                b.append("<div class=\"failure\"><h3><span class=\"FAIL\">FAIL</span> <a href=\"")
                        .append(Html.esc(cellFile(o.scenario(), o.column()))).append("\">").append(Html.esc(o.fullName()))
                        .append("</a></h3>\n<p class=\"reason\">").append(Html.esc(o.message() == null ? "(no reason given)" : o.message()))
                        .append("</p>\n");
                CellHistory h = history.get(o.scenario() + "[" + o.column() + "]");
                if (h != null) b.append("<p class=\"history\">").append(Html.esc(h.failingText())).append("</p>\n");
                BootView v = views.get(o);
                if (v != null) {
                    String page = Html.href(dir, v.dir().resolve(BootView.PAGE), dir);
                    b.append("<p>last console lines (<a href=\"").append(Html.esc(page)).append("#L").append(v.focusLine())
                            .append("\">the boot's page</a>):</p>\n").append(BootPage.tail(v, TAIL_LINES, page)).append('\n');
                }
                b.append("</div>\n");
            }
        }
        if (flaky > 0) {
            b.append("<h2 id=\"flaky\">Flaky</h2>\n<p class=\"muted\">failed, then passed when booted again in a fresh"
                    + " guest: not a pass</p>\n<ul>");
            for (TestOutcome o : all) {
                if (o.verdict() != Verdict.FLAKY) continue;
                CellHistory h = history.get(o.scenario() + "[" + o.column() + "]");
                b.append("<li class=\"flaky\"><a href=\"").append(Html.esc(cellFile(o.scenario(), o.column()))).append('#')
                        .append(Html.esc(o.test())).append("\">").append(Html.esc(o.fullName())).append("</a>: ")
                        .append(Html.esc(o.message())).append(h == null ? "" : " · " + Html.esc(h.flakeText()))
                        .append("</li>");
            }
            b.append("</ul>\n");
        }
        if (!regressions.isEmpty()) {
            b.append("<h2 id=\"regressions\">Regressions</h2>\n<p class=\"muted\">passed, but over a budget or slower than the"
                    + " baseline by more than the noise margin</p>\n<ul>");
            for (Regression r : regressions) {
                b.append("<li class=\"regression\"><a href=\"").append(Html.esc(cellFile(r.scenario(), r.column()))).append('#')
                        .append(Html.esc(r.test())).append("\">").append(Html.esc(r.result())).append("</a>: ")
                        .append(Html.esc(r.describe())).append("</li>");
            }
            b.append("</ul>\n");
        }
        b.append("<h2 id=\"grid\">Matrix</h2>\n");
        grid(b);
        if (skipped > 0) {
            b.append("<h2>Skipped</h2>\n<ul>");
            for (TestOutcome o : all) {
                if (o.verdict() != Verdict.SKIP) continue;
                b.append("<li>").append(Html.esc(o.fullName())).append(": ").append(Html.esc(o.message())).append("</li>");
            }
            b.append("</ul>\n");
        }
        b.append("<p class=\"muted\">JUnit and TestNG XML reports are in this directory too.</p>\n").append(Html.TAIL);
        return b.toString();
    }

    private void grid(StringBuilder b) {
        TreeSet<String> columns = new TreeSet<>();
        grid.values().forEach(m -> columns.addAll(m.keySet()));
        b.append("<table class=\"grid\"><tr><th>scenario</th>");
        columns.forEach(c -> b.append("<th>").append(Html.esc(c)).append("</th>"));
        b.append("</tr>\n");
        grid.forEach((scenario, byColumn) -> {
            b.append("<tr><th>").append(Html.esc(scenario)).append("</th>");
            for (String c : columns) {
                List<TestOutcome> tests = byColumn.get(c);
                if (tests == null) {
                    b.append("<td>–</td>");
                    continue;
                }
                Verdict v = tests.stream().map(TestOutcome::verdict).reduce(Verdict::combine).orElse(Verdict.SKIP);
                long ok = tests.stream().filter(o -> o.verdict() == Verdict.PASS || o.verdict() == Verdict.SKIP).count();
                double secs = tests.stream().mapToDouble(TestOutcome::seconds).sum();
                long slower = regressions.stream().filter(r -> r.scenario().equals(scenario) && r.column().equals(c)).count();
                b.append("<td class=\"").append(v).append(slower > 0 ? " regressed" : "").append("\"><a href=\"")
                        .append(Html.esc(cellFile(scenario, c))).append("\">").append(v).append(' ').append(ok).append('/')
                        .append(tests.size()).append(String.format(Locale.ROOT, " · %.0f s", secs))
                        .append(slower > 0 ? " · " + slower + " regression" + (slower > 1 ? "s" : "") : "")
                        .append(historyNote(scenario + "[" + c + "]")).append("</a></td>");
            }
            b.append("</tr>\n");
        });
        b.append("</table>\n");
    }

    /** " · failing since … · flaky 2/30 (7 %)": what the kept runs say of a cell, if anything. */
    private String historyNote(String cell) {
        CellHistory h = history.get(cell);
        if (h == null) return "";
        String failing = h.failingText();
        return (failing.isEmpty() ? "" : "<br><span class=\"history\">" + Html.esc(failing) + "</span>")
                + (h.flaky() > 0 ? "<br><span class=\"history\">" + Html.esc(h.flakeText()) + "</span>" : "");
    }

    private void writeCell(String scenario, String column, List<TestOutcome> tests) throws IOException {
        Path page = dir.resolve(cellFile(scenario, column));
        String name = scenario + "[" + column + "]";
        Verdict verdict = tests.stream().map(TestOutcome::verdict).reduce(Verdict::combine).orElse(Verdict.SKIP);
        StringBuilder b = new StringBuilder(Html.head(name));
        b.append("<p><a href=\"../index.html\">&larr; the matrix</a></p>\n<h1><span class=\"").append(verdict).append("\">")
                .append(verdict).append("</span> ").append(Html.esc(name)).append("</h1>\n");
        CellHistory h = history.get(name);
        if (h != null) {
            b.append("<p class=\"history\">over the ").append(h.runs()).append(" kept runs: ")
                    .append(Html.esc(h.failingText().isEmpty() ? "not failing" : h.failingText())).append(", ")
                    .append(Html.esc(h.flakeText())).append("</p>\n");
        }
        // Failed tests first, as on the front page.
        List<TestOutcome> ordered = new ArrayList<>(tests);
        ordered.sort((a, c) -> Boolean.compare(c.verdict() == Verdict.FAIL, a.verdict() == Verdict.FAIL));
        for (TestOutcome o : ordered) {
            b.append("<h2 id=\"").append(Html.esc(o.test())).append("\"><span class=\"").append(o.verdict()).append("\">")
                    .append(o.verdict()).append("</span> ").append(Html.esc(o.test()))
                    .append(String.format(Locale.ROOT, " <span class=\"muted\">%.1f s</span>", o.seconds())).append("</h2>\n");
            if (o.message() != null) b.append("<p class=\"reason\">").append(Html.esc(o.message())).append("</p>\n");
            earlierAttempts(b, o, page);
            for (Regression r : regressions) {
                if (r.result().equals(o.fullName())) {
                    b.append("<p class=\"regression\">regression (").append(r.against()).append("): ")
                            .append(Html.esc(r.describe())).append("</p>\n");
                }
            }
            BootView v = views.get(o);
            if (v == null) {
                b.append("<p class=\"muted\">no boot recorded</p>\n");
                continue;
            }
            String bootPage = Html.href(page.getParent(), v.dir().resolve(BootView.PAGE), dir);
            BootPage.write(v, new BootPage.Header(o.fullName(), o.verdict().name(), o.message(),
                    Html.href(v.dir(), page, dir) + "#" + o.test(), dir));
            b.append("<p><a href=\"").append(Html.esc(bootPage)).append("#L").append(v.focusLine())
                    .append("\">console log</a> (").append(v.lines().size()).append(" lines)</p>\n");
            b.append(v.svg()).append('\n');
            marked(b, v, bootPage);
            if (o.verdict() == Verdict.FAIL) b.append("<p>last console lines:</p>\n").append(BootPage.tail(v, TAIL_LINES, bootPage));
            milestonesAndArtifacts(b, v, page);
        }
        b.append(Html.TAIL);
        AtomicFiles.write(page, b.toString());
    }

    /** Links to the failed attempts before this one, each boot with its own page: the evidence of a flake. */
    private void earlierAttempts(StringBuilder b, TestOutcome o, Path page) throws IOException {
        List<TestOutcome> before = attempts.earlierOf(o);
        if (before.isEmpty()) return;
        b.append("<ul class=\"attempts\">");
        for (int i = 0; i < before.size(); i++) {
            TestOutcome a = before.get(i);
            b.append("<li>attempt ").append(i + 1).append(" <span class=\"FAIL\">FAIL</span> ");
            BootView v = a.artifacts() == null || !Files.isDirectory(Path.of(a.artifacts())) ? null : load(a);
            if (v != null) {
                BootPage.write(v, new BootPage.Header(a.fullName() + " (attempt " + (i + 1) + ")", a.verdict().name(),
                        a.message(), Html.href(v.dir(), page, dir) + "#" + o.test(), dir));
                b.append("<a class=\"attempt\" href=\"").append(Html.esc(Html.href(page.getParent(), v.dir().resolve(BootView.PAGE), dir)))
                        .append("#L").append(v.focusLine()).append("\">console log and artifacts</a>: ");
            }
            b.append(Html.esc(a.message() == null ? "(no reason given)" : a.message())).append("</li>");
        }
        b.append("<li>attempt ").append(before.size() + 1).append(" <span class=\"").append(o.verdict() == Verdict.FLAKY
                ? "PASS\">PASS" : o.verdict() + "\">" + o.verdict()).append("</span>: below</li></ul>\n");
    }

    private static BootView load(TestOutcome o) {
        try {
            return BootView.load(Path.of(o.artifacts()));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The lines a wait matched or a failure caught, each linked to its place in the whole log. */
    private static void marked(StringBuilder b, BootView v, String bootPage) {
        List<ConsoleLogFile.Line> lines = v.lines().stream().filter(l -> v.marks().of(l.number()) != null).toList();
        if (lines.isEmpty()) return;
        b.append("<p>matched and failing lines:</p>\n<pre class=\"console\">");
        for (ConsoleLogFile.Line l : lines) {
            b.append("<span class=\"l ").append(v.marks().of(l.number())).append("\"><a href=\"").append(Html.esc(bootPage))
                    .append("#L").append(l.number()).append("\">").append(l.number()).append("</a>")
                    .append(String.format(Locale.ROOT, "<span class=\"t\">[%9.3f]</span> ", l.seconds()))
                    .append(Html.esc(l.text())).append("</span>");
        }
        b.append("</pre>\n");
    }

    private void milestonesAndArtifacts(StringBuilder b, BootView v, Path page) throws IOException {
        b.append("<details><summary>milestones, artifacts and the repro command</summary>\n");
        BootPage.sections(b, v, page, dir);
        b.append("</details>\n");
    }
}
