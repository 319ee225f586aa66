package org.initrdharness.stage1;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs a unit file runs: the first word of each {@code Exec*=} line. The stage 1 copies
 * them with the unit, so that a unit of any systemd release finds what it starts (systemd 257's
 * initrd-parse-etc.service runs systemd-sysroot-fstab-check, which 252's did not have).
 *
 * <p>A command whose failure the unit ignores ({@code -} prefix) is left out: it names tools of
 * other parts (plymouth in emergency.service) that the stage 1 may not have on purpose.
 */
final class UnitExecutables {
    private static final Pattern EXEC = Pattern.compile(
            "^\\s*Exec(?:Start|StartPre|StartPost|Stop|StopPost|Reload|Condition)\\s*=\\s*(.*)$");

    private UnitExecutables() {}

    /** A program a unit runs: an absolute path, or a bare name systemd looks up in /usr/bin and /usr/sbin. */
    record Program(String name, String line) {
        boolean absolute() {
            return name.startsWith("/");
        }
    }

    static List<Program> of(String unitText) {
        List<Program> out = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String raw : unitText.split("\n", -1)) {
            // A trailing backslash continues the line.
            if (raw.endsWith("\\")) {
                logical.append(raw, 0, raw.length() - 1).append(' ');
                continue;
            }
            logical.append(raw);
            String line = logical.toString();
            logical.setLength(0);
            Matcher m = EXEC.matcher(line);
            if (!m.matches()) continue;
            String value = m.group(1).trim();
            boolean ignoresFailure = false;
            int i = 0;
            while (i < value.length() && "@-:+!|".indexOf(value.charAt(i)) >= 0) {
                if (value.charAt(i) == '-') ignoresFailure = true;
                i++;
            }
            if (ignoresFailure) continue;
            String rest = value.substring(i).trim();
            if (rest.isEmpty()) continue; // "ExecStart=" resets the list
            String word = rest.split("\\s+", 2)[0];
            if (word.contains("$") || word.contains("%")) continue; // expanded at run time
            out.add(new Program(word, line.trim()));
        }
        return out;
    }
}
