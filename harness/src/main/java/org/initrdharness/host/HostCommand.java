package org.initrdharness.host;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of a host tool (qemu-img, apt-get, mkfs.ext4, cpio...). The deadline is part of the
 * command: when it passes, the tool and every process it started are killed, so a hung tool
 * cannot hold a caller (or a lock the caller holds) for ever. Standard error is merged into the
 * output unless {@link #separateErrors()} asks otherwise; standard input is empty unless given.
 * The tool runs in a process group of its own under a small sh wrapper that kills the group when
 * this JVM is gone, even by SIGKILL, so no apt-get or mkfs outlives a killed run.
 *
 * <pre>{@code
 * HostCommand.of(Duration.ofMinutes(1), "qemu-img", "create", "-q", "-f", "qcow2", disk, "1G").check();
 * }</pre>
 */
public final class HostCommand {
    /** Output lines an error message carries. */
    static final int TAIL_LINES = 15;

    /**
     * $1 is this JVM's pid, the rest the tool's command line. setsid gives the tool a process
     * group of its own (sh without a tty has no job control), so one kill reaches whatever it
     * started; stdin is passed on explicitly (sh gives a background job /dev/null). The watcher
     * polls, as a pipe lifeline would take the tool's stdin; a zombie JVM counts as gone. The
     * wrapper's own stderr goes nowhere, so "Killed" and the like never mix into the tool's output.
     */
    private static final String WRAPPER = String.join("\n",
            "jvm=$1; shift",
            "exec 3<&0 4>&2 2>/dev/null",
            "setsid \"$@\" <&3 2>&4 3<&- 4>&- &",
            "tool=$!",
            "exec 3<&- 4>&-",
            "trap 'kill -9 -$tool 2>/dev/null; exit 143' HUP INT TERM",
            "( while kill -0 $jvm 2>/dev/null && read -r _ _ state _ < /proc/$jvm/stat && [ \"$state\" != Z ]; do",
            "    sleep 1; done; kill -9 -$tool 2>/dev/null ) </dev/null >/dev/null 2>&1 &",
            "watcher=$!",
            "wait $tool; status=$?",
            "kill $watcher 2>/dev/null",
            "exit $status");

    private final List<String> command;
    private final Duration deadline;
    private Path dir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private byte[] input;
    private Path inputFile;
    private Consumer<String> lines;
    private boolean separateErrors;

    private HostCommand(Duration deadline, List<String> command) {
        Objects.requireNonNull(deadline, "a host command needs a deadline");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive: " + deadline);
        }
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        this.command = List.copyOf(command);
        this.deadline = deadline;
    }

    public static HostCommand of(Duration deadline, List<String> command) {
        return new HostCommand(deadline, command);
    }

    public static HostCommand of(Duration deadline, String... command) {
        return new HostCommand(deadline, List.of(command));
    }

    /** Runs in {@code dir} (null: the current directory). */
    public HostCommand in(Path dir) {
        this.dir = dir;
        return this;
    }

    public HostCommand env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public HostCommand env(Map<String, String> vars) {
        if (vars != null) env.putAll(vars);
        return this;
    }

    /** These bytes on standard input (null: none). */
    public HostCommand input(byte[] bytes) {
        this.input = bytes;
        return this;
    }

    /** The file's content on standard input (null: none). */
    public HostCommand input(Path file) {
        this.inputFile = file;
        return this;
    }

    /** Each line of output, as it arrives, also goes to {@code consumer}. */
    public HostCommand onLine(Consumer<String> consumer) {
        this.lines = consumer;
        return this;
    }

    /** Keeps standard error apart ({@link Result#errors()}), for tools whose output is data. */
    public HostCommand separateErrors() {
        this.separateErrors = true;
        return this;
    }

    public List<String> command() {
        return command;
    }

    /**
     * Runs the command to its end; a non-zero exit is returned, not thrown.
     *
     * @throws HostCommandException when the deadline passed (the command was killed)
     * @throws IOException when it cannot be started or the wait was interrupted
     */
    public Result run() throws IOException {
        List<String> wrapped = new java.util.ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "host-command",
                Long.toString(ProcessHandle.current().pid())));
        wrapped.add(executable(command.get(0)));
        wrapped.addAll(command.subList(1, command.size()));
        ProcessBuilder pb = new ProcessBuilder(wrapped).redirectErrorStream(!separateErrors);
        if (dir != null) pb.directory(dir.toFile());
        pb.environment().putAll(env);
        pb.redirectInput(inputFile != null ? ProcessBuilder.Redirect.from(inputFile.toFile())
                : input != null ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.from(new File("/dev/null")));
        long end = System.nanoTime() + deadline.toNanos();
        Process p = pb.start();
        Drain out = new Drain(p.getInputStream(), lines, "out");
        Drain err = separateErrors ? new Drain(p.getErrorStream(), null, "err") : null;
        if (input != null) feed(p);
        try {
            boolean exited = p.waitFor(end - System.nanoTime(), TimeUnit.NANOSECONDS);
            // A child that outlives the tool can keep the output open: that too counts against the deadline.
            boolean drained = exited && out.endedBy(end) && (err == null || err.endedBy(end));
            if (!drained) {
                kill(p);
                out.endedBy(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                throw HostCommandException.timedOut(command, deadline, tail(err != null ? err : out));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + HostCommandException.describe(command), e);
        }
        return new Result(command, p.exitValue(), out.bytes(), err == null ? new byte[0] : err.bytes());
    }

    /**
     * The tool's path, found as the JVM would find it, so that a missing tool is still an
     * IOException naming it and not the wrapper's exit status 127.
     */
    private String executable(String name) throws IOException {
        if (name.contains("/")) {
            Path p = dir != null ? dir.resolve(name) : Path.of(name);
            if (!java.nio.file.Files.isExecutable(p)) throw new IOException("Cannot run program \"" + name + "\": not an executable file");
            return name;
        }
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String d : path.split(":")) {
            if (d.isEmpty()) continue;
            Path candidate = Path.of(d, name);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) return candidate.toString();
        }
        throw new IOException("Cannot run program \"" + name + "\": not found on PATH (" + path + ")");
    }

    /** {@link #run()}, and a non-zero exit is a {@link HostCommandException} naming it. */
    public Result check() throws IOException {
        Result r = run();
        if (!r.ok()) throw HostCommandException.failed(command, r.exit(), r.tail());
        return r;
    }

    private void feed(Process p) {
        Thread t = new Thread(() -> {
            try (OutputStream o = p.getOutputStream()) {
                o.write(input);
            } catch (IOException e) {
                // the tool stopped reading; its exit status tells what went wrong
            }
        }, "host-command-input");
        t.setDaemon(true);
        t.start();
    }

    private static void kill(Process p) {
        // The wrapper first, so that it cannot report on the tool's death; then all it started.
        List<ProcessHandle> started = p.descendants().toList();
        p.destroyForcibly();
        started.forEach(ProcessHandle::destroyForcibly);
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Drain d) {
        return Result.tail(new String(d.bytes(), StandardCharsets.UTF_8), TAIL_LINES);
    }

    /**
     * How a command ended.
     *
     * @param output standard output (with standard error unless kept apart)
     * @param errors standard error when kept apart, else empty
     */
    public record Result(List<String> command, int exit, byte[] output, byte[] errors) {
        public boolean ok() {
            return exit == 0;
        }

        /** The output as UTF-8 text. */
        public String text() {
            return new String(output, StandardCharsets.UTF_8);
        }

        public String errorText() {
            return new String(errors, StandardCharsets.UTF_8);
        }

        public List<String> lines() {
            return text().lines().toList();
        }

        /** The last lines of what the command said (standard error when kept apart), for messages. */
        public String tail() {
            return tail(errors.length > 0 ? errorText() : text(), TAIL_LINES);
        }

        public String tail(int n) {
            return tail(errors.length > 0 ? errorText() : text(), n);
        }

        static String tail(String text, int n) {
            List<String> l = text.lines().toList();
            return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
        }
    }

    /** Reads one stream to its end on a daemon thread, passing whole lines on as they come. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final Consumer<String> lines;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        Drain(InputStream in, Consumer<String> lines, String name) {
            super("host-command-" + name);
            this.in = in;
            this.lines = lines;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(b)) > 0) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                    if (lines != null) split(b, n);
                }
            } catch (IOException e) {
                // the stream closes when the process is killed
            }
            if (lines != null && line.size() > 0) lines.accept(line.toString(StandardCharsets.UTF_8));
        }

        private void split(byte[] b, int n) {
            for (int i = 0; i < n; i++) {
                if (b[i] == '\n') {
                    lines.accept(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b[i]);
                }
            }
        }

        byte[] bytes() {
            synchronized (buf) {
                return buf.toByteArray();
            }
        }

        /** True when the stream ended before {@code end} (a System.nanoTime value). */
        boolean endedBy(long end) throws InterruptedException {
            long left = end - System.nanoTime();
            if (left > 0) join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            return !isAlive();
        }
    }
}
