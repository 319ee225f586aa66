package org.initrdharness.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recorded console log read back for reports: "[seconds] text" lines, input marked "&gt;&gt;&gt; ".
 * Read leniently: whatever bytes are there (a truncated write, a foreign log) become text.
 */
public final class ConsoleLogFile {
    private static final Pattern LINE = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)] ?(.*)$", Pattern.DOTALL);

    /**
     * One line of the log.
     *
     * @param number  1-based line number in the file
     * @param seconds seconds since QEMU started, or NaN for a line without the time
     * @param text    the line without its time
     * @param input   true for what the harness typed
     */
    public record Line(int number, double seconds, String text, boolean input) {}

    private ConsoleLogFile() {}

    /** The lines of {@code log}; empty when there is no such file. */
    public static List<Line> read(Path log) throws IOException {
        if (!Files.isRegularFile(log)) return List.of();
        return parse(new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    }

    public static List<Line> parse(String content) {
        List<Line> out = new ArrayList<>();
        String[] raw = content.split("\n", -1);
        int count = raw.length > 0 && raw[raw.length - 1].isEmpty() ? raw.length - 1 : raw.length;
        for (int i = 0; i < count; i++) {
            Matcher m = LINE.matcher(raw[i]);
            if (m.matches()) {
                String text = m.group(2);
                boolean input = text.startsWith(">>> ");
                out.add(new Line(i + 1, Double.parseDouble(m.group(1)), input ? text.substring(4) : text, input));
            } else {
                out.add(new Line(i + 1, Double.NaN, raw[i], false));
            }
        }
        return out;
    }

    /** "[seconds] text" lines, as {@link org.initrdharness.report.profile.Stage1Profile} reads them. */
    public static List<String> asLogLines(List<Line> lines) {
        List<String> out = new ArrayList<>();
        for (Line l : lines) {
            if (Double.isNaN(l.seconds())) continue;
            out.add(String.format(java.util.Locale.ROOT, "[%9.3f] %s%s", l.seconds(), l.input() ? ">>> " : "", l.text()));
        }
        return out;
    }
}
