package org.initrdharness.host;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** A host command that exited non-zero or was killed at its deadline: what ran, how it ended, its last output. */
public final class HostCommandException extends IOException {
    /** {@link #exit()} of a command killed at its deadline. */
    public static final int KILLED = -1;
    private static final int MAX_COMMAND_CHARS = 400;

    private final List<String> command;
    private final int exit;
    private final String tail;

    private HostCommandException(String message, List<String> command, int exit, String tail) {
        super(message);
        this.command = command;
        this.exit = exit;
        this.tail = tail;
    }

    static HostCommandException failed(List<String> command, int exit, String tail) {
        return new HostCommandException(describe(command) + " exited with status " + exit + lastOutput(tail),
                command, exit, tail);
    }

    static HostCommandException timedOut(List<String> command, Duration deadline, String tail) {
        return new HostCommandException(describe(command) + " did not finish within " + seconds(deadline)
                + " and was killed" + lastOutput(tail), command, KILLED, tail);
    }

    public List<String> command() {
        return command;
    }

    /** The exit status, or {@link #KILLED}. */
    public int exit() {
        return exit;
    }

    public boolean timedOut() {
        return exit == KILLED;
    }

    /** The last lines the command printed. */
    public String tail() {
        return tail;
    }

    /** The command line, shortened when it is very long (apt-get download of many packages). */
    static String describe(List<String> command) {
        String s = String.join(" ", command);
        return s.length() <= MAX_COMMAND_CHARS ? s : s.substring(0, MAX_COMMAND_CHARS) + " ...";
    }

    private static String lastOutput(String tail) {
        return tail.isBlank() ? " (no output)" : "; last output:\n" + tail;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
    }
}
