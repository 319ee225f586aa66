package org.initrdharness.vm.console;

import java.util.List;

/**
 * Where a wait found its pattern.
 *
 * @param text     the matched text
 * @param groups   the pattern's groups (index 0 is the whole match; null for groups that did not take part)
 * @param line     the whole line (or partial line) it was found in
 * @param seconds  when it was found, seconds since QEMU started
 * @param partial  true when found in a line still without its newline (a prompt)
 * @param start    offset of the match in the line
 * @param end      offset just after the match
 */
public record ConsoleMatch(String text, List<String> groups, ConsoleLine line, double seconds, boolean partial,
        int start, int end) {

    /** The n-th group, or null. */
    public String group(int n) {
        return groups.get(n);
    }
}
