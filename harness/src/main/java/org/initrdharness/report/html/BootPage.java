package org.initrdharness.report.html;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.milestones.Milestone;

/**
 * {@value BootView#PAGE} in a boot's artifact directory: its verdict and reason, the timeline
 * drawn as SVG, the milestones, the artifacts, the command that replays it and the whole console
 * log with every line anchored ({@code #L123}) and the matched and failing lines highlighted.
 */
public final class BootPage {

    /**
     * What the page says about the boot beyond its artifacts.
     *
     * @param title   the test's name
     * @param verdict PASS, FAIL or SKIP (a CSS class too)
     * @param message why it failed, or null
     * @param back    a link back to the page that lists it, or null
     * @param root    the report's directory: links inside it are relative
     */
    public record Header(String title, String verdict, String message, String back, Path root) {}

    private BootPage() {}

    public static Path write(BootView v, Header h) throws IOException {
        Path page = v.dir().resolve(BootView.PAGE);
        StringBuilder b = new StringBuilder(Html.head(h.title()));
        if (h.back() != null) b.append("<p><a href=\"").append(Html.esc(h.back())).append("\">&larr; back</a></p>");
        b.append("<h1><span class=\"").append(Html.esc(h.verdict())).append("\">").append(Html.esc(h.verdict()))
                .append("</span> ").append(Html.esc(h.title())).append("</h1>\n");
        if (h.message() != null) b.append("<p class=\"reason\">").append(Html.esc(h.message())).append("</p>\n");
        for (Timeline.Event e : v.events()) {
            if (!e.kind().equals("failure")) continue;
            b.append("<p class=\"reason\">at ").append(Html.secs(e.seconds())).append(": ").append(Html.esc(e.text()));
            if (v.marks().firstFailure() > 0) {
                b.append(" (<a href=\"#L").append(v.marks().firstFailure()).append("\">line ").append(v.marks().firstFailure())
                        .append("</a>)");
            }
            b.append("</p>\n");
        }
        b.append("<h2>Timeline</h2>\n").append(v.svg()).append('\n');
        milestones(b, v);
        artifacts(b, v, page, h.root());
        b.append("<h2>Console log</h2>\n<p class=\"muted\">seconds since QEMU started; <span class=\"console\"><span class=\"")
                .append(ConsoleMarks.MATCH).append("\">matched</span> and <span class=\"").append(ConsoleMarks.FAIL)
                .append("\">failing</span></span> lines highlighted; <code>&gt;&gt;&gt;</code> is what the harness typed</p>\n");
        console(b, v);
        b.append(Html.TAIL);
        AtomicFiles.write(page, b.toString());
        return page;
    }

    /** The milestones table, the artifacts and the repro command, for a page at {@code page}. */
    public static void sections(StringBuilder b, BootView v, Path page, Path root) throws IOException {
        milestones(b, v);
        artifacts(b, v, page, root);
    }

    static void milestones(StringBuilder b, BootView v) {
        boolean waited = !v.milestones().waited().isEmpty();
        b.append("<table class=\"milestones\"><tr><th>milestone</th><th>since QEMU started</th>")
                .append(waited ? "<th title=\"the time less the guest's wait for a host CPU\">own time</th>" : "")
                .append("<th></th></tr>");
        for (Milestone m : Milestone.values()) {
            Double t = v.milestones().at(m);
            b.append("<tr><td>").append(m.id()).append("</td><td>").append(Html.secs(t)).append("</td>");
            if (waited) b.append("<td>").append(Html.secs(v.milestones().own(m))).append("</td>");
            b.append("<td class=\"muted\">").append(Html.esc(m.description())).append("</td></tr>");
        }
        if (v.milestones().initrd() != null) {
            var i = v.milestones().initrd();
            b.append("<tr><td>initrd</td><td").append(waited ? " colspan=\"2\"" : "").append(">")
                    .append(String.format(Locale.ROOT, "%,d bytes", i.bytes()))
                    .append(i.entries() >= 0 ? ", " + i.entries() + " entries" : "").append("</td><td class=\"muted\">")
                    .append(Html.esc(i.file())).append("</td></tr>");
        }
        b.append("</table>\n");
    }

    static void artifacts(StringBuilder b, BootView v, Path page, Path root) throws IOException {
        b.append("<h2>Artifacts</h2>\n<ul>");
        try (Stream<Path> files = Files.list(v.dir())) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.equals(BootView.PAGE)) continue;
                b.append("<li><a href=\"").append(Html.esc(Html.href(page.getParent(), f, root))).append("\">")
                        .append(Html.esc(name)).append("</a> <span class=\"muted\">")
                        .append(String.format(Locale.ROOT, "%,d bytes", Files.size(f))).append("</span></li>");
            }
        }
        b.append("</ul>\n<p>Reproduce: <code>initrd-harness repro ").append(Html.esc(v.dir().toAbsolutePath().toString()))
                .append("</code> (or <code>sh qemu.sh</code> in this directory: the same machine, its console on your terminal)</p>\n");
    }

    static void console(StringBuilder b, BootView v) {
        b.append("<pre class=\"console\">");
        lines(b, v.lines(), v.marks());
        b.append("</pre>\n");
    }

    /** Lines with their anchors, times and highlights. */
    static void lines(StringBuilder b, List<ConsoleLogFile.Line> lines, ConsoleMarks marks) {
        for (ConsoleLogFile.Line l : lines) {
            String mark = marks == null ? null : marks.of(l.number());
            b.append("<span class=\"l").append(mark == null ? "" : " " + mark).append("\" id=\"L").append(l.number())
                    .append("\"><a href=\"#L").append(l.number()).append("\">").append(l.number()).append("</a>");
            if (!Double.isNaN(l.seconds())) {
                b.append("<span class=\"t\">").append(String.format(Locale.ROOT, "[%9.3f]", l.seconds())).append("</span> ");
            }
            if (l.input()) b.append("<span class=\"in\">&gt;&gt;&gt; ").append(Html.esc(l.text())).append("</span>");
            else b.append(Html.esc(l.text()));
            b.append("</span>");
        }
    }

    /** The last lines of a boot, numbered and linked to its page, for a failure's summary. */
    public static String tail(BootView v, int n, String pageHref) {
        StringBuilder b = new StringBuilder("<pre class=\"tail\">");
        for (ConsoleLogFile.Line l : v.tail(n)) {
            b.append("<a href=\"").append(Html.esc(pageHref)).append("#L").append(l.number()).append("\">")
                    .append(String.format(Locale.ROOT, "%5d", l.number())).append("</a> ");
            if (l.input()) b.append("&gt;&gt;&gt; ");
            b.append(Html.esc(l.text())).append('\n');
        }
        return b.append("</pre>").toString();
    }
}
