package org.initrdharness.scenarios.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.profile.BootProfiles;
import org.initrdharness.report.profile.Stage1Profile;

/** The matrix at a glance: scenario × (release, arch) with verdict and time, and the same as JSON. */
public final class MatrixReport {
    private final List<TestOutcome> outcomes;

    public MatrixReport(List<TestOutcome> outcomes) {
        this.outcomes = List.copyOf(outcomes);
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
        out.printf("%nmatrix: %d passed, %d failed, %d skipped in %.1f s%n", passed, failed, skipped, wallSeconds);
        for (TestOutcome o : outcomes) {
            if (o.verdict() == Verdict.FAIL) {
                out.printf("  FAILED %s: %s%n", o.fullName(), o.message());
                if (o.artifacts() != null) out.printf("         artifacts: %s%n", o.artifacts());
            } else if (o.verdict() == Verdict.SKIP && o.message() != null) {
                out.printf("  skipped %s: %s%n", o.fullName(), o.message());
            }
        }
    }

    /**
     * Writes {@code index.html} in {@code dir}: the scenario × arch table, then every failed or
     * skipped test with its reason and links to its console log, timeline, screenshots and replay
     * script. Paths are relative to {@code dir} when the artifacts are below it.
     */
    public Path writeHtml(Path dir, String title) throws IOException {
        Map<String, Map<String, Cell>> rows = table();
        TreeSet<String> arches = new TreeSet<>();
        rows.values().forEach(m -> arches.addAll(m.keySet()));
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}")
                .append(".PASS{background:#d4f7d4}.FAIL{background:#f7d4d4}.SKIP{background:#eee}")
                .append("pre{background:#f6f6f6;padding:6px;white-space:pre-wrap}</style></head><body>");
        h.append("<h1>").append(esc(title)).append("</h1><table><tr><th>scenario</th>");
        arches.forEach(a -> h.append("<th>").append(esc(a)).append("</th>"));
        h.append("</tr>");
        rows.forEach((scenario, byArch) -> {
            h.append("<tr><td>").append(esc(scenario)).append("</td>");
            for (String a : arches) {
                Cell c = byArch.get(a);
                if (c == null) {
                    h.append("<td>-</td>");
                } else {
                    h.append("<td class=\"").append(c.verdict()).append("\">").append(c.verdict()).append(' ')
                            .append(c.tests() - c.failed()).append('/').append(c.tests())
                            .append(String.format(" %.0f s", c.seconds())).append("</td>");
                }
            }
            h.append("</tr>");
        });
        h.append("</table>");
        for (TestOutcome o : outcomes) {
            if (o.verdict() == Verdict.PASS) continue;
            h.append("<h2 class=\"").append(o.verdict()).append("\">").append(o.verdict()).append(' ')
                    .append(esc(o.fullName())).append("</h2>");
            if (o.message() != null) h.append("<pre>").append(esc(o.message())).append("</pre>");
            if (o.artifacts() != null) {
                Path art = Path.of(o.artifacts());
                h.append("<p>");
                for (String f : List.of("console.log", "timeline.txt", "qemu.sh", "qemu.log")) {
                    if (Files.exists(art.resolve(f))) h.append(link(dir, art.resolve(f), f)).append(" &middot; ");
                }
                try (var pngs = Files.list(art)) {
                    pngs.filter(p -> p.toString().endsWith(".png")).sorted()
                            .forEach(p -> h.append(link(dir, p, p.getFileName().toString())).append(" &middot; "));
                } catch (IOException e) {
                    // no artifact directory left: the links above say what there is
                }
                h.append("</p><p>Reproduce: <code>initrd-harness repro ").append(esc(art.toString())).append("</code></p>");
            }
        }
        h.append("</body></html>\n");
        Path out = dir.resolve("index.html").toAbsolutePath();
        AtomicFiles.write(out, h.toString());
        return out;
    }

    private static String link(Path base, Path target, String text) {
        Path abs = target.toAbsolutePath();
        Path b = base.toAbsolutePath();
        String href = abs.startsWith(b) ? b.relativize(abs).toString() : abs.toUri().toString();
        return "<a href=\"" + esc(href) + "\">" + esc(text) + "</a>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
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
        doc.put("stage1Profile", BootProfiles.summaries(profiles));
        AtomicFiles.write(file.toAbsolutePath(),
                out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, doc));
    }
}
