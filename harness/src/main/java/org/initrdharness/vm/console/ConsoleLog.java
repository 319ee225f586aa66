package org.initrdharness.vm.console;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The console log file: every line as "[seconds] text", every input as "[seconds] &gt;&gt;&gt; text".
 * Flushed line by line so a killed JVM leaves the evidence.
 */
final class ConsoleLog implements AutoCloseable {
    private final Writer out;

    /** A log written to {@code file}; null for none (everything is dropped). */
    ConsoleLog(Path file) throws IOException {
        this.out = file == null ? null : new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    void lines(List<LineEvent> events) {
        for (LineEvent e : events) write(e.line().toString());
    }

    /** What was typed at {@code seconds}, already redacted. */
    void input(double seconds, String typed) {
        write(String.format(Locale.ROOT, "[%9.3f] >>> %s", seconds, quoted(typed)));
    }

    static String quoted(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    private void write(String text) {
        if (out == null) return;
        synchronized (out) {
            try {
                out.write(text);
                out.write('\n');
                out.flush();
            } catch (IOException e) {
                // the log is evidence, not control: a full disk must not stop the boot
            }
        }
    }

    /** Idempotent; later writes are dropped. */
    @Override
    public void close() {
        if (out == null) return;
        synchronized (out) {
            try {
                out.close();
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
