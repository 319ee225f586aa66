package org.initrdharness.report.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.milestones.Milestone;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.report.profile.UnitTiming;

/**
 * A boot drawn on one time axis (seconds since QEMU started), as inline SVG: the milestones,
 * one row each; the timeline's matches, failures and input; then one bar per stage-1 unit from
 * its start to its ready time (red when it failed, pale to the end when it never got ready).
 * Every mark carries a {@code <title>}, which browsers show on hover.
 */
public final class TimelineSvg {
    static final int WIDTH = 1100;
    static final int LABELS = 270;
    static final int RIGHT = 24;
    static final int ROW = 14;

    private TimelineSvg() {}

    public static String render(BootMilestones milestones, Stage1Profile profile, List<Timeline.Event> events) {
        List<UnitTiming> units = profile == null ? List.of() : profile.units();
        double end = milestones == null ? 0 : milestones.end();
        for (UnitTiming u : units) {
            if (u.ready() != null) end = Math.max(end, u.ready());
            if (u.start() != null) end = Math.max(end, u.start());
        }
        for (Timeline.Event e : events) end = Math.max(end, e.seconds());
        double step = step(end);
        double axisEnd = Math.max(step, Math.ceil(end / step) * step);
        Scale x = new Scale(axisEnd);

        List<Milestone> reached = new ArrayList<>();
        if (milestones != null) for (Milestone m : Milestone.values()) if (milestones.at(m) != null) reached.add(m);
        int top = 26;
        int eventsY = top + reached.size() * ROW + 8;
        int unitsY = eventsY + 22;
        int height = unitsY + units.size() * ROW + 10;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"system-ui,sans-serif\" font-size=\"11\" role=\"img\">",
                WIDTH, height, WIDTH, height));
        s.append("<title>boot timeline, seconds since QEMU started</title>");
        // The axis and its grid.
        for (double t = 0; t <= axisEnd + 1e-9; t += step) {
            double px = x.at(t);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>", px, px, height));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\" fill=\"#666\">%s s</text>", px,
                    trim(t)));
        }
        // Milestones: a line across the whole height and a labelled row each.
        for (int i = 0; i < reached.size(); i++) {
            Milestone m = reached.get(i);
            double px = x.at(milestones.at(m));
            int y = top + i * ROW;
            String label = m.id() + " " + Html.secs(milestones.at(m));
            s.append("<g class=\"milestone\" data-milestone=\"").append(m.id()).append("\"><title>")
                    .append(Html.esc(m.description() + ": " + Html.secs(milestones.at(m)))).append("</title>");
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#7a4fc9\" stroke-dasharray=\"3,3\"/>", px, y, px,
                    height));
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"#7a4fc9\"/>", px, y + 5));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#4b2a8a\">%s</text>",
                    LABELS - 8, y + 9, Html.esc(label)));
            s.append("</g>");
        }
        // The harness's own events: what it waited for and saw, what failed, what it typed.
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#444\">harness events</text>",
                LABELS - 8, eventsY + 9));
        for (Timeline.Event e : events) {
            String fill = switch (e.kind()) {
                case "match" -> "#2e9e3e";
                case "failure" -> "#d11";
                case "input", "respond" -> "#1a5fd1";
                default -> null;
            };
            if (fill == null) continue;
            s.append(String.format(Locale.ROOT,
                    "<rect class=\"event %s\" x=\"%.1f\" y=\"%d\" width=\"5\" height=\"12\" fill=\"%s\"><title>%s</title></rect>",
                    Html.esc(e.kind()), x.at(e.seconds()) - 2.5, eventsY, fill,
                    Html.esc(Html.secs(e.seconds()) + " " + e.kind() + ": " + shorten(e.text(), 300))));
        }
        // Stage-1 units, by the time they began.
        for (int i = 0; i < units.size(); i++) {
            UnitTiming u = units.get(i);
            int y = unitsY + i * ROW;
            Double from = u.begun();
            boolean open = u.ready() == null;
            String tip = u.unit() + ": start " + Html.secs(u.start()) + ", ready " + Html.secs(u.ready())
                    + (u.took() == null ? "" : ", took " + Html.secs(u.took())) + (u.failed() ? ", FAILED" : "")
                    + (open && from != null ? ", never ready" : "");
            s.append("<g class=\"unit").append(u.failed() ? " failed" : "").append("\"><title>").append(Html.esc(tip))
                    .append("</title>");
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%s</text>", LABELS - 8,
                    y + 10, u.failed() ? "#b00" : "#333", Html.esc(shorten(u.unit(), 44))));
            if (from == null) {
                // Failed before it began ("Dependency failed for ..."): no span to draw, only the word.
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#b00\">failed, never started</text>",
                        LABELS + 4, y + 10));
            } else {
                double to = open ? axisEnd : u.ready();
                String fill = u.failed() ? "#d33" : open ? "#c9d6ea" : colour(u.unit());
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>",
                        x.at(from), y + 2, Math.max(2, x.at(to) - x.at(from)), fill));
            }
            s.append("</g>");
        }
        s.append("</svg>");
        return s.toString();
    }

    private record Scale(double end) {
        double at(double seconds) {
            return LABELS + Math.max(0, seconds) / end * (WIDTH - LABELS - RIGHT);
        }
    }

    /** About ten ticks: 1, 2 or 5 times a power of ten. */
    static double step(double end) {
        double raw = Math.max(end, 1) / 10;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] {1, 2, 5}) if (raw <= f * p) return f * p;
        return 10 * p;
    }

    private static String colour(String unit) {
        if (unit.endsWith(".target")) return "#9aa3ad";
        if (unit.endsWith(".mount") || unit.endsWith(".device") || unit.endsWith(".swap")) return "#1f9e8f";
        return "#3b78c4";
    }

    private static String trim(double t) {
        return t == Math.rint(t) ? String.valueOf((long) t) : String.format(Locale.ROOT, "%.1f", t);
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
