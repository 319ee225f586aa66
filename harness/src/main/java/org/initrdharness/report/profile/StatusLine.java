package org.initrdharness.report.profile;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of systemd's job messages on the console: either PID 1's log line through kmsg (full unit
 * name, seen until journald takes the log over) or its status line ("[  OK  ] Started ..."),
 * which systemd cuts to 80 columns on a serial console, replacing the middle with "…".
 *
 * @param kind what happened to the unit's job
 * @param text "name - description" as printed, trailing dots removed
 * @param full true when the text was not cut
 */
record StatusLine(Kind kind, String text, boolean full) {

    enum Kind { START, READY, FAILED }

    private static final Pattern LINE = Pattern.compile(
            "(?:\\[  OK  ] |\\[FAILED] |\\[DEPEND] |\\[ TIME ] |^ {9}|systemd\\[1]: )"
                    + "(Starting|Mounting|Expecting device|Started|Finished|Mounted|Reached target|Found device"
                    + "|Listening on|Set up automount|Activated swap|Failed to start|Failed to mount|Dependency failed for"
                    + "|Timed out waiting for device) (.+)$");
    /**
     * What is left of the colour escape after the unit name when the cut split it ("…[0m - ",
     * "…0m - ", "…m - "); no unit name ends in "m", so this is never part of one.
     */
    private static final Pattern ESCAPE_REST = Pattern.compile("…\\[?[0-9;]*m(?= - |$)");

    static Optional<StatusLine> parse(String consoleText) {
        Matcher m = LINE.matcher(consoleText);
        if (!m.find()) return Optional.empty();
        Kind kind = switch (m.group(1)) {
            case "Starting", "Mounting", "Expecting device" -> Kind.START;
            case "Failed to start", "Failed to mount", "Dependency failed for", "Timed out waiting for device" -> Kind.FAILED;
            default -> Kind.READY;
        };
        String text = ESCAPE_REST.matcher(m.group(2)).replaceAll("…").strip();
        if (text.endsWith("...")) text = text.substring(0, text.length() - 3);
        else if (text.endsWith(".")) text = text.substring(0, text.length() - 1);
        return Optional.of(new StatusLine(kind, text, !text.contains("…")));
    }

    /** The unit name of an uncut text: what comes before " - ". */
    String name() {
        int dash = text.indexOf(" - ");
        return dash < 0 ? text : text.substring(0, dash);
    }

    /** Before the cut. */
    String head() {
        int cut = text.indexOf('…');
        return cut < 0 ? text : text.substring(0, cut);
    }

    /** After the cut. */
    String tail() {
        int cut = text.indexOf('…');
        return cut < 0 ? "" : text.substring(cut + 1);
    }
}
