package org.initrdharness.images;

import java.io.PrintStream;
import java.util.Locale;

/** Where image building says what it is doing: which step, how many of how many, how many bytes. */
@FunctionalInterface
public interface Progress {

    /**
     * One step of work.
     *
     * @param what  what is being done, e.g. "download aarch64 systemd 252.39-1~deb12u2"
     * @param n     this item's number (1-based), or 0 when the step is not counted
     * @param of    how many items the step has, or 0
     * @param bytes bytes concerned (downloaded, unpacked, written), or -1 when unknown
     */
    void report(String what, int n, int of, long bytes);

    default void report(String what) {
        report(what, 0, 0, -1);
    }

    /** Nothing is printed. */
    static Progress silent() {
        return (what, n, of, bytes) -> { };
    }

    /** One line per step on standard error: "images: [3/120] download ... (1.2 MB)". */
    static Progress stderr() {
        return to(System.err);
    }

    static Progress to(PrintStream out) {
        return (what, n, of, bytes) -> {
            StringBuilder sb = new StringBuilder("images: ");
            if (of > 0) sb.append('[').append(n).append('/').append(of).append("] ");
            sb.append(what);
            if (bytes >= 0) sb.append(" (").append(human(bytes)).append(')');
            out.println(sb);
        };
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }
}
