package org.initrdharness.report.html;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.Timeline;

/**
 * Which console lines a report highlights: the ones a wait matched and the ones a failure
 * pattern caught (both from the timeline, which records the line's text), and lines that say
 * something failed in the words of the kernel and systemd.
 *
 * @param marks line number to "match" or "fail"
 */
public record ConsoleMarks(Map<Integer, String> marks) {
    public static final String MATCH = "match";
    public static final String FAIL = "fail";

    /** Lines that read as failures whoever was waiting. */
    static final Pattern FAILING = Pattern.compile(
            "\\[FAILED]|Kernel panic|Failed to (start|mount)|Dependency failed|Timed out waiting|emergency mode|"
                    + "Cannot open access to console");

    public ConsoleMarks {
        marks = Map.copyOf(marks);
    }

    public static ConsoleMarks of(List<ConsoleLogFile.Line> lines, List<Timeline.Event> events) {
        Map<Integer, String> marks = new TreeMap<>();
        for (ConsoleLogFile.Line l : lines) {
            if (!l.input() && FAILING.matcher(l.text()).find()) marks.put(l.number(), FAIL);
        }
        for (Timeline.Event e : events) {
            if (e.kind().equals("match")) {
                int at = e.text().indexOf("/ in: ");
                if (at > 0) find(lines, e.seconds(), e.text().substring(at + 6)).ifPresent(n -> marks.putIfAbsent(n, MATCH));
            } else if (e.kind().equals("failure")) {
                int open = e.text().indexOf(": '");
                int close = e.text().lastIndexOf("' while waiting");
                if (open > 0 && close > open) {
                    find(lines, e.seconds(), e.text().substring(open + 3, close)).ifPresent(n -> marks.put(n, FAIL));
                }
            }
        }
        return new ConsoleMarks(marks);
    }

    /** The last console line up to {@code seconds} (and a moment after: the clocks are read apart) with this text. */
    private static java.util.Optional<Integer> find(List<ConsoleLogFile.Line> lines, double seconds, String text) {
        String wanted = text.strip();
        if (wanted.isEmpty()) return java.util.Optional.empty();
        for (int i = lines.size() - 1; i >= 0; i--) {
            ConsoleLogFile.Line l = lines.get(i);
            if (l.input() || Double.isNaN(l.seconds()) || l.seconds() > seconds + 0.5) continue;
            if (l.text().strip().equals(wanted) || l.text().contains(wanted)) return java.util.Optional.of(l.number());
        }
        return java.util.Optional.empty();
    }

    /** The first failing line, or 0. */
    public int firstFailure() {
        return marks.entrySet().stream().filter(e -> e.getValue().equals(FAIL)).mapToInt(Map.Entry::getKey).min().orElse(0);
    }

    public String of(int line) {
        return marks.get(line);
    }
}
