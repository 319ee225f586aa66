package org.initrdharness.replay;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.DiskFormat;
import org.initrdharness.vm.QemuCommand;
import org.initrdharness.vm.QemuImg;
import org.initrdharness.vm.QemuProcess;
import org.initrdharness.vm.Timeouts;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.qmp.Qmp;

/**
 * Replays a recorded boot with no terminal: the recorded command line with the console on a
 * socket this process reads, the recorded session driven again ({@link SessionStep}: waits,
 * typed input, answered prompts, hot-plugged disks), until the console shows the recorded last
 * lines or the deadline passes. QEMU runs under the harness's lifeline and is killed at the end.
 */
public final class ReplayCheck {
    private static final Duration STARTUP = Duration.ofSeconds(30);

    /**
     * What the replay showed.
     *
     * @param expected the recorded last lines, normalized
     * @param matched  how many of them the replay showed, in order
     * @param replayed the replay's last console lines, as shown
     * @param problem  why the session could not be driven to its end, or null
     * @param seconds  from QEMU's start to the verdict
     */
    public record Result(List<String> expected, int matched, List<String> replayed, String problem, double seconds) {
        public boolean same() {
            return matched == expected.size() && !expected.isEmpty();
        }
    }

    private ReplayCheck() {}

    /**
     * Runs the replay. {@code command} is the terminal command {@link Replay#prepare} resolved
     * into {@code workDir}; {@code answers} give the secrets in the order the recording typed them.
     */
    public static Result run(BootManifest m, Map<String, Path> files, Path workDir, List<String> command,
            List<SessionStep> steps, Deque<String> answers, List<String> expected, boolean afterLastInput, Duration timeout)
            throws IOException {
        Path consoleSocket = workDir.resolve("console.sock");
        Timeline timeline = new Timeline(System.nanoTime());
        Timeouts timeouts = new Timeouts(1);
        Deadline deadline = Deadline.after(timeout, timeouts);
        QemuProcess qemu = QemuProcess.start(headless(command, consoleSocket), workDir.resolve("qemu.log"),
                workDir.resolve("qemu.pid"));
        Console console = null;
        Qmp qmp = null;
        String problem = null;
        try {
            SocketChannel ch = connect(consoleSocket, qemu, deadline);
            console = new Console(m.arch(), ch, ch, timeline, timeouts, workDir.resolve("console.log"));
            // The recorded failure is what the replay is meant to reach: no pattern stops it.
            for (FailurePattern p : List.copyOf(console.failurePatterns())) console.allow(p);
            Path qmpSocket = workDir.resolve("qmp.sock");
            qmp = Qmp.connect(m.arch(), connect(qmpSocket, qemu, deadline), qmpSocket, timeline, timeouts);
            qmp.execute("cont");
            int[] typedAt = {0};
            problem = drive(m, files, workDir, steps, answers, console, qmp, deadline, typedAt);
            // Where the recording typed its last input before its last lines, they must come after
            // that input here too: the same lines earlier in the boot (a first emergency) are not them.
            int from = afterLastInput ? typedAt[0] : 0;
            List<String> lines = after(console.lastLines(Integer.MAX_VALUE), from);
            while (problem == null && LastLines.matched(expected, lines) < expected.size()) {
                if (deadline.expired()) break;
                if (console.isEnded()) {
                    lines = after(console.lastLines(Integer.MAX_VALUE), from);
                    break;
                }
                sleep(250);
                lines = after(console.lastLines(Integer.MAX_VALUE), from);
            }
            int k = LastLines.matched(expected, lines);
            if (k < expected.size() && problem == null) {
                problem = console.isEnded() ? "QEMU ended (" + qemu.exitStatus().orElse(-1) + ") before the last lines showed"
                        : "the last lines did not show within " + timeout.toSeconds() + " s";
            }
            return new Result(expected, k, tail(lines, 15), problem, timeline.now());
        } catch (IOException | RuntimeException e) {
            List<String> lines = console == null ? List.of() : console.lastLines(Integer.MAX_VALUE);
            String qemuSaid = Files.isRegularFile(workDir.resolve("qemu.log"))
                    ? Files.readString(workDir.resolve("qemu.log")).strip() : "";
            return new Result(expected, LastLines.matched(expected, lines), tail(lines, 15),
                    e.getMessage() + (qemuSaid.isEmpty() ? "" : "\nQEMU said: " + qemuSaid), timeline.now());
        } finally {
            if (qmp != null) qmp.close();
            qemu.kill();
            if (console != null) console.close();
        }
    }

    private static List<String> after(List<String> lines, int from) {
        return lines.subList(Math.min(from, lines.size()), lines.size());
    }

    /** Does the recorded steps in order; returns why it could not, or null. {@code typedAt}: complete lines when input was last typed. */
    private static String drive(BootManifest m, Map<String, Path> files, Path workDir, List<SessionStep> steps,
            Deque<String> answers, Console console, Qmp qmp, Deadline deadline, int[] typedAt) throws IOException {
        int plugged = 0;
        for (SessionStep s : steps) {
            try {
                switch (s.kind()) {
                    case WAIT -> console.waitFor(s.pattern(), deadline);
                    case TYPE -> {
                        if (s.secret()) console.sendSecret(answers.removeFirst());
                        if (!s.text().isEmpty()) console.send(s.text());
                        typedAt[0] = console.lines().size();
                    }
                    case RESPOND -> {
                        if (s.secret()) console.respondSecret(s.pattern(), answers.removeFirst());
                        else console.respond(s.pattern(), s.text());
                    }
                    case HOTPLUG -> {
                        Path base = files.get("hotplug-" + s.serial());
                        BootInput in = m.input("hotplug-" + s.serial()).orElse(null);
                        if (base == null || in == null) return "the recording hot-plugged disk " + s.serial() + ", which it does not hold";
                        Path overlay = workDir.resolve("hotplug-" + s.serial() + ".qcow2");
                        QemuImg.createOverlay(base, DiskFormat.valueOf(in.format().toUpperCase(java.util.Locale.ROOT)), overlay);
                        String bus = Arch.parse(m.arch()) == Arch.AARCH64 ? QemuCommand.hotplugPort(plugged) : null;
                        qmp.hotplugDisk("hp-" + s.serial(), overlay, DiskFormat.QCOW2, s.serial(), false, bus);
                        plugged++;
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                return "step '" + s + "' of the recorded session: " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * The terminal command with the console on {@code socket} instead of stdio (and its monitor
     * gone), and the guest held until QMP says go, so no early line is lost.
     */
    static List<String> headless(List<String> command, Path socket) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            String a = command.get(i);
            String next = i + 1 < command.size() ? command.get(i + 1) : "";
            if (a.equals("-chardev") && next.startsWith("stdio,id=console")) {
                out.addAll(List.of("-chardev", "socket,id=console,path=" + socket.toString().replace(",", ",,")
                        + ",server=on,wait=off"));
                i++;
            } else if (a.equals("-mon") && next.equals("chardev=console,mode=readline")) {
                i++;
            } else {
                out.add(a);
            }
        }
        out.add("-S");
        return out;
    }

    private static SocketChannel connect(Path socket, QemuProcess qemu, Deadline deadline) throws IOException {
        Deadline startup = Deadline.after(STARTUP, deadline.timeouts()).earlier(deadline);
        while (true) {
            if (qemu.hasExited()) throw new IOException("QEMU exited at once with status " + qemu.exitStatus().orElse(-1));
            if (Files.exists(socket)) {
                try {
                    return SocketChannel.open(UnixDomainSocketAddress.of(socket));
                } catch (java.net.ConnectException refused) {
                    // bound, not listening yet
                }
            }
            if (startup.expired()) throw new IOException("QEMU did not open " + socket + " within " + STARTUP.toSeconds() + " s");
            sleep(20);
        }
    }

    private static List<String> tail(List<String> lines, int n) {
        return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
