package org.initrdharness.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The last meaningful lines of a console, in a form two boots of the same machine share: the
 * harness's and the kernel's timestamps gone, every run of digits (times, PIDs, addresses,
 * counters) and hex with digits in it as "#", white space collapsed. Typed input and lines with
 * no letter left are not meaningful.
 */
public final class LastLines {
    private static final Pattern STAMP = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\]\\s?");
    private static final Pattern NUMBERS = Pattern.compile("[0-9a-fA-F]*[0-9][0-9a-fA-F]*");
    private static final Pattern LETTER = Pattern.compile("\\p{L}");

    private LastLines() {}

    /** {@code line} as compared; empty when it is not meaningful. */
    public static String normalize(String line) {
        String s = STAMP.matcher(line).replaceFirst("");
        if (s.startsWith(">>> ")) return ""; // typed input, as the console log shows it
        s = STAMP.matcher(s).replaceFirst("");
        s = s.replaceAll("\\p{Cntrl}", "");
        s = NUMBERS.matcher(s).replaceAll("#");
        s = s.replaceAll("\\s+", " ").trim();
        return LETTER.matcher(s).find() ? s : "";
    }

    /**
     * The last {@code n} meaningful lines of {@code lines}, normalized, oldest first. Lines user
     * space wrote come first: the kernel's own lines interleave differently from boot to boot,
     * and the tail of a panic's trace is the same for every panic. Kernel lines count only in a
     * log with no other.
     */
    public static List<String> last(List<String> lines, int n) {
        List<String> out = last(lines, n, true);
        return out.isEmpty() ? last(lines, n, false) : out;
    }

    private static List<String> last(List<String> lines, int n, boolean userSpaceOnly) {
        // Kernel messages user space printed again without their time (systemd 257's emergency
        // mode does) are the kernel's too.
        java.util.Set<String> kernel = new java.util.HashSet<>();
        for (String l : lines) {
            if (isKernel(l)) kernel.add(normalize(l));
        }
        List<String> out = new ArrayList<>();
        for (int i = lines.size() - 1; i >= 0 && out.size() < n; i--) {
            String s = normalize(lines.get(i));
            if (userSpaceOnly && (isKernel(lines.get(i)) || kernel.contains(s))) continue;
            if (!s.isEmpty()) out.add(0, s);
        }
        return out;
    }

    /**
     * Whether the recording typed its last input (a "&gt;&gt;&gt; " line of the console log) before
     * the first of its last {@code n} meaningful lines: then a replay must show them after its own
     * last input.
     */
    public static boolean followInput(List<String> lines, int n) {
        List<String> expected = last(lines, n);
        int lastInput = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (STAMP.matcher(lines.get(i)).replaceFirst("").startsWith(">>> ")) lastInput = i;
        }
        if (lastInput < 0 || expected.isEmpty()) return false;
        for (int i = lastInput + 1; i < lines.size(); i++) {
            if (normalize(lines.get(i)).equals(expected.get(0))) return true;
        }
        return false;
    }

    private static boolean isKernel(String line) {
        return STAMP.matcher(STAMP.matcher(line).replaceFirst("")).find();
    }

    /**
     * How many of {@code expected} {@code lines} shows in order (other lines may come between:
     * kernel messages interleave differently from boot to boot); {@code expected.size()} when all.
     * The last expected line may be the start of a line: the recorded boot was ended as soon as
     * it failed, often in the middle of one.
     */
    public static int matched(List<String> expected, List<String> lines) {
        int k = 0;
        for (int i = 0; i < lines.size() && k < expected.size(); i++) {
            String s = normalize(lines.get(i));
            if (s.equals(expected.get(k)) || (k == expected.size() - 1 && s.startsWith(expected.get(k)))) k++;
        }
        return k;
    }
}
