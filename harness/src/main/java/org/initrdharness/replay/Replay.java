package org.initrdharness.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Timeouts;
import org.initrdharness.vm.tpm.Swtpm;
import org.initrdharness.vm.DiskFormat;
import org.initrdharness.vm.QemuImg;

/**
 * Boots a recorded machine again: fresh overlays over its inputs in {@code workDir} (the inputs
 * are never written), then QEMU's recorded command line with the paths rewritten, its console on
 * this process's terminal.
 */
public final class Replay {
    private Replay() {}

    /** The command line this replay runs, its overlays made in {@code workDir}. */
    public static List<String> prepare(BootManifest m, Map<String, Path> files, Path workDir) throws IOException {
        for (BootManifest.Overlay o : m.overlays()) {
            Path base = files.get(o.input());
            if (base == null) throw new IOException("no file for disk " + o.input());
            QemuImg.createOverlay(base, DiskFormat.valueOf(o.format().toUpperCase(java.util.Locale.ROOT)),
                    BootManifest.inDir(o.file(), workDir));
        }
        for (BootManifest.EmptyImage e : m.empties()) QemuImg.createEmpty(BootManifest.inDir(e.file(), workDir), e.sizeBytes());
        return freshPorts(m.resolve(workDir, files));
    }

    private static final Pattern HOSTFWD = Pattern.compile("(hostfwd=tcp:127\\.0\\.0\\.1:)(\\d+)-");

    /** Each port forward on a port free here now: the recorded one may be taken on this machine. */
    static List<String> freshPorts(List<String> command) throws IOException {
        List<String> out = new ArrayList<>();
        for (String a : command) {
            Matcher mt = HOSTFWD.matcher(a);
            StringBuilder sb = new StringBuilder();
            while (mt.find()) {
                int port;
                try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = free.getLocalPort();
                }
                mt.appendReplacement(sb, Matcher.quoteReplacement(mt.group(1) + port + "-"));
                System.err.println("repro: host port " + mt.group(2) + " forwarded to the guest is now port " + port);
            }
            mt.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }

    /**
     * The software TPM the recorded machine had, started on a copy of its recorded state (a fresh
     * TPM where it had none) at the socket the command names; null when it had no TPM.
     */
    public static Swtpm startTpm(BootManifest m, Map<String, Path> files, Path workDir) throws IOException {
        if (!m.command().contains("-tpmdev")) return null;
        Path state = workDir.resolve("tpm-state");
        Files.createDirectories(state);
        for (BootInput in : m.inputs()) {
            if (!in.id().startsWith(BootManifest.TPM_STATE)) continue;
            Path copy = state.resolve(in.id().substring(BootManifest.TPM_STATE.length()));
            Files.copy(files.get(in.id()), copy);
            copy.toFile().setWritable(true, true);
        }
        return Swtpm.start(state, workDir.resolve("swtpm.sock"), workDir.resolve("swtpm.log"), workDir.resolve("swtpm.pid"),
                Deadline.after(Duration.ofSeconds(30), new Timeouts(1)));
    }

    /**
     * Runs {@code command} with this process's standard input and output; QEMU is killed when
     * {@code timeout} passes or this JVM ends. Returns QEMU's exit status (137 when it was killed).
     */
    public static int run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        Thread hook = new Thread(p::destroyForcibly, "replay-kill");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("repro: QEMU still running after " + timeout.toSeconds() + " s (--timeout): killed");
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return 137;
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
