package org.initrdharness.vm.console;

import java.util.Locale;

/**
 * One line of console output, escapes and carriage returns removed.
 *
 * @param id      identifies the line while it grows (a partial line keeps its id when completed)
 * @param seconds when its first character arrived, seconds since QEMU started
 * @param text    the line without its newline
 */
public record ConsoleLine(long id, double seconds, String text) {
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%9.3f] %s", seconds, text);
    }
}
