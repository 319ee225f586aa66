package org.initrdharness.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.initrdharness.host.HostCommandException;
import org.initrdharness.initrd.InitrdBuildException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * How a command reports a failure: one line naming the command, what failed and why, exit
 * status 2. No stack trace unless {@code --debug} (or INITRD_HARNESS_DEBUG=1) asked for it.
 */
public final class Failures {
    public static final int EXIT = 2;

    private Failures() {}

    public static int report(CommandSpec spec, String what, Throwable e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(oneLine(spec.name() + ": " + what + ": " + why(e)));
        if (Main.debug()) e.printStackTrace(err);
        err.flush();
        return EXIT;
    }

    /** For failures whose message already names the file: "command: message". */
    public static int report(CommandSpec spec, Throwable e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(oneLine(spec.name() + ": " + why(e)));
        if (Main.debug()) e.printStackTrace(err);
        err.flush();
        return EXIT;
    }

    /** The reason in a user's words: the domain exceptions' messages, the file of a file-system error. */
    static String why(Throwable e) {
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
        }
        if (e instanceof InitrdBuildException || e instanceof HostCommandException
                || e instanceof IllegalArgumentException) {
            return String.valueOf(e.getMessage());
        }
        if (e instanceof java.io.IOException) return e.getMessage() == null ? e.toString() : e.getMessage();
        return "internal error: " + e + (Main.debug() ? "" : " (run with --debug for the stack trace)");
    }

    /**
     * Control characters escaped, so a value from a hostile file cannot add lines or move the
     * cursor; each line but the first of a multi-line reason is indented as a hint.
     */
    static String oneLine(String s) {
        return escape(s, true);
    }

    /** {@link #oneLine} for text that holds no hint: every newline escaped too (argument values). */
    static String escaped(String s) {
        return escape(s, false);
    }

    private static String escape(String s, boolean hints) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' && hints && i + 1 < s.length()) b.append("\n  ");
            else if (c == '\n' && hints) continue;
            else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
