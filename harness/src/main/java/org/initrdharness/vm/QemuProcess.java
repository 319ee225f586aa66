package org.initrdharness.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteStreamHandler;

/**
 * A QEMU process (or another child a machine owns, such as swtpm) that cannot outlive the JVM.
 * It runs under a small sh wrapper whose stdin is a pipe from this JVM (the lifeline): when the
 * pipe reaches end of file, because {@link #kill()} closed it or because the JVM died, even by
 * SIGKILL, the wrapper kills the child.
 */
public final class QemuProcess {

    /**
     * $1 is the pid file, the rest QEMU's command line. fd 3 keeps the lifeline for the watcher
     * (sh gives background jobs /dev/null as stdin); QEMU itself gets neither.
     */
    private static final String WRAPPER = String.join("\n",
            "pidfile=$1; shift",
            "exec 3<&0 </dev/null",
            "\"$@\" 3<&- &",
            "qemu=$!",
            "echo \"$qemu\" > \"$pidfile.tmp\" && mv \"$pidfile.tmp\" \"$pidfile\"",
            "trap 'kill -9 $qemu 2>/dev/null' HUP INT TERM",
            "( while read -r _ <&3; do :; done; kill -9 $qemu 2>/dev/null ) &",
            "watcher=$!",
            "exec 3<&-",
            "wait $qemu; status=$?",
            "kill $watcher 2>/dev/null",
            "exit $status");

    private final DefaultExecuteResultHandler result = new DefaultExecuteResultHandler();
    private final Lifeline lifeline = new Lifeline();
    private final Path pidFile;
    private final String binary;
    private volatile long pid = -1;

    private QemuProcess(Path pidFile, String binary) {
        this.pidFile = pidFile;
        this.binary = binary;
    }

    /** Starts {@code command}; its stdout and stderr go to {@code logFile}. */
    public static QemuProcess start(List<String> command, Path logFile, Path pidFile) throws IOException {
        QemuProcess p = new QemuProcess(pidFile, Path.of(command.get(0)).getFileName().toString());
        CommandLine cl = new CommandLine("/bin/sh");
        cl.addArgument("-c", false);
        cl.addArgument(WRAPPER, false);
        cl.addArgument("qemu-lifeline", false);
        cl.addArgument(pidFile.toString(), false);
        for (String s : command) cl.addArgument(s, false);
        DefaultExecutor ex = DefaultExecutor.builder().setExecuteStreamHandler(p.new Streams(logFile)).get();
        ex.setExitValues(null);
        ex.execute(cl, p.result);
        return p;
    }

    /** The child's pid once the wrapper has written it, or empty. */
    public Optional<Long> pid() {
        if (pid < 0 && Files.exists(pidFile)) {
            try {
                pid = Long.parseLong(Files.readString(pidFile).trim());
            } catch (IOException | NumberFormatException e) {
                // not written completely yet
            }
        }
        return pid < 0 ? Optional.empty() : Optional.of(pid);
    }

    public boolean hasExited() {
        return result.hasResult();
    }

    /** The wrapper's exit status, which is QEMU's (137 after SIGKILL). */
    public OptionalInt exitStatus() {
        return result.hasResult() ? OptionalInt.of(result.getExitValue()) : OptionalInt.empty();
    }

    public boolean awaitExit(Duration timeout) {
        try {
            result.waitFor(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return result.hasResult();
    }

    /** SIGKILLs QEMU and cuts the lifeline; waits a little for the wrapper to report. */
    public void kill() {
        pid().flatMap(ProcessHandle::of).ifPresent(h -> {
            // a pid reused by another program after the child ended is left alone
            if (h.info().command().map(c -> c.contains(binary)).orElse(true)) h.destroyForcibly();
        });
        lifeline.cut();
        awaitExit(Duration.ofSeconds(5));
    }

    /** Cuts the lifeline (QEMU dies if still running) once QEMU has been asked to go. */
    public void release() {
        lifeline.cut();
    }

    /** Never yields data; ends when cut, which closes the wrapper's stdin. */
    private static final class Lifeline extends InputStream {
        private boolean cut;

        @Override
        public synchronized int read() throws IOException {
            while (!cut) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return -1;
        }

        synchronized void cut() {
            cut = true;
            notifyAll();
        }
    }

    /** Holds the wrapper's stdin open until the lifeline is cut; copies its output to the log. */
    private final class Streams implements ExecuteStreamHandler {
        private final Path logFile;
        private OutputStream stdin;
        private InputStream stdout;
        private InputStream stderr;
        private Thread[] threads;
        private OutputStream log;

        Streams(Path logFile) {
            this.logFile = logFile;
        }

        @Override
        public void setProcessInputStream(OutputStream os) {
            stdin = os;
        }

        @Override
        public void setProcessOutputStream(InputStream is) {
            stdout = is;
        }

        @Override
        public void setProcessErrorStream(InputStream is) {
            stderr = is;
        }

        @Override
        public void start() throws IOException {
            log = Files.newOutputStream(logFile);
            Thread holder = new Thread(() -> {
                try {
                    lifeline.read();
                } catch (IOException e) {
                    // cut
                }
                try {
                    stdin.close();
                } catch (IOException e) {
                    // already gone
                }
            }, "qemu-lifeline");
            Thread out = copier(stdout, log, "qemu-stdout");
            Thread err = copier(stderr, log, "qemu-stderr");
            threads = new Thread[] {holder, out, err};
            for (Thread t : threads) {
                t.setDaemon(true);
                t.start();
            }
        }

        private Thread copier(InputStream in, OutputStream log, String name) {
            return new Thread(() -> {
                byte[] buf = new byte[4096];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        synchronized (log) {
                            log.write(buf, 0, n);
                            log.flush();
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            }, name);
        }

        @Override
        public void stop() {
            lifeline.cut();
            if (threads == null) return;
            for (int i = 1; i < threads.length; i++) {
                try {
                    threads[i].join(TimeUnit.SECONDS.toMillis(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                log.close();
            } catch (IOException e) {
                // the log is evidence only
            }
        }
    }
}
