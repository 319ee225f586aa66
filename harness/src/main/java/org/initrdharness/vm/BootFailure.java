package org.initrdharness.vm;

import java.util.List;
import java.util.Locale;

/**
 * A boot did not do what was expected: the message says what happened, on which arch, when
 * (seconds since QEMU started), and ends with the last console lines.
 */
public class BootFailure extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** An expected console output did not come in time. */
        TIMEOUT,
        /** The kernel panicked. */
        KERNEL_PANIC,
        /** systemd as PID 1 froze ("Freezing execution"): the boot can go no further. */
        INIT_FROZEN,
        /** QEMU exited (guest powered off, rebooted or crashed) while something was awaited. */
        GUEST_EXITED,
        /** A unit failed to start ("Failed to start X"). */
        UNIT_FAILED,
        /** Stage 1 fell back to an emergency shell where none was expected. */
        EMERGENCY_MODE,
        /** A failure pattern added by the test or the user matched. */
        PATTERN
    }

    private final Kind kind;
    private final String where;
    private final double seconds;
    private final List<String> lastLines;

    /**
     * @param kind      what went wrong
     * @param where     the machine ("x86_64", "aarch64 boot")
     * @param seconds   seconds since QEMU started
     * @param what      a sentence: what happened and what was being waited for
     * @param lastLines the last console lines, oldest first
     */
    public BootFailure(Kind kind, String where, double seconds, String what, List<String> lastLines) {
        super(format(where, seconds, what, lastLines));
        this.kind = kind;
        this.where = where;
        this.seconds = seconds;
        this.lastLines = List.copyOf(lastLines);
    }

    private static String format(String where, double seconds, String what, List<String> lastLines) {
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(String.format(Locale.ROOT, " (%s, %.1f s)", where, seconds));
        if (!lastLines.isEmpty()) {
            sb.append("\n--- last ").append(lastLines.size()).append(" console lines ---");
            for (String l : lastLines) sb.append('\n').append(l);
        }
        return sb.toString();
    }

    public Kind kind() { return kind; }

    /** The machine's label. */
    public String where() { return where; }

    /** Seconds since QEMU started. */
    public double seconds() { return seconds; }

    public List<String> lastLines() { return lastLines; }
}
