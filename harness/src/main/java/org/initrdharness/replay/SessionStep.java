package org.initrdharness.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.report.Timeline;

/**
 * One thing the recorded session did on the console, read back from its timeline so that a
 * headless replay does it again in the same order: wait for what it waited for, type what it
 * typed (a secret from the user, never from the recording), answer the prompts it answered,
 * plug the disks it plugged.
 *
 * @param kind    what to do
 * @param pattern the console pattern waited for or answered (WAIT, RESPOND)
 * @param text    TYPE: what to type (after the user's secret, when {@code secret}); RESPOND: the
 *                answer, null when it is a secret
 * @param secret  whether the user must give what was typed here
 * @param serial  the hot-plugged disk's serial (HOTPLUG)
 */
public record SessionStep(Kind kind, Pattern pattern, String text, boolean secret, String serial) {
    public enum Kind { WAIT, TYPE, RESPOND, HOTPLUG }

    static final String SECRET = "<secret>";
    private static final Pattern MATCH = Pattern.compile("(?s)/(.*?)/ in: .*");
    private static final Pattern ANSWERED = Pattern.compile("(?s)/(.*)/ answered (.*)");
    private static final Pattern PLUGGED = Pattern.compile("hot-plugged disk \\S+ \\(serial (\\S+)\\)");

    /** The steps of a recorded timeline, in order; events that drove nothing (QEMU, QMP events, failures) are left out. */
    public static List<SessionStep> of(List<Timeline.Event> events) {
        List<SessionStep> out = new ArrayList<>();
        for (Timeline.Event e : events) {
            switch (e.kind()) {
                case "match" -> {
                    Matcher m = MATCH.matcher(e.text());
                    if (m.matches()) out.add(new SessionStep(Kind.WAIT, Pattern.compile(m.group(1)), null, false, null));
                }
                case "input" -> {
                    boolean secret = e.text().startsWith(SECRET);
                    // "<secret>\r": the user's answer, then the Enter the recording typed after it.
                    String rest = unquote(secret ? e.text().substring(SECRET.length()) : e.text());
                    out.add(new SessionStep(Kind.TYPE, null, rest, secret, null));
                }
                case "respond" -> {
                    Matcher m = ANSWERED.matcher(e.text());
                    if (m.matches()) {
                        boolean secret = m.group(2).equals(SECRET);
                        out.add(new SessionStep(Kind.RESPOND, Pattern.compile(m.group(1)), secret ? null : unquote(m.group(2)),
                                secret, null));
                    }
                }
                case "qmp" -> {
                    Matcher m = PLUGGED.matcher(e.text());
                    if (m.matches()) out.add(new SessionStep(Kind.HOTPLUG, null, null, false, m.group(1)));
                }
                default -> { }
            }
        }
        return out;
    }

    /** Undoes the console log's quoting of CR and LF. */
    static String unquote(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }

    @Override
    public String toString() {
        String shown = text == null ? "" : text.replace("\r", "\\r").replace("\n", "\\n");
        return switch (kind) {
            case WAIT -> "wait for /" + pattern + "/";
            case TYPE -> "type " + (secret ? SECRET : "") + shown;
            case RESPOND -> "answer /" + pattern + "/ with " + (secret ? SECRET : shown);
            case HOTPLUG -> "hot-plug disk " + serial;
        };
    }
}
