package org.initrdharness.vm.tpm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.QemuProcess;

/**
 * A software TPM 2.0 (swtpm) for one machine, owned like its QEMU: it runs under the same
 * lifeline wrapper, so it ends with {@link #close()}, with QEMU's connection ({@code --terminate})
 * and with the JVM, even a SIGKILLed one. The TPM's state (its seeds, NV indexes) lives in
 * {@code stateDir}, which outlives the process: a disk enrolled against it unlocks again only
 * with the same directory.
 */
public final class Swtpm implements AutoCloseable {

    private final QemuProcess process;
    private final Path socket;
    private final Path log;

    private Swtpm(QemuProcess process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    /** swtpm's command line: TPM 2.0, state in {@code stateDir}, its control channel on {@code socket}. */
    public static List<String> command(Path stateDir, Path socket, Path log) {
        return List.of(binary(), "socket", "--tpm2",
                "--tpmstate", "dir=" + stateDir,
                "--ctrl", "type=unixio,path=" + socket,
                "--log", "file=" + log + ",level=1",
                "--terminate");
    }

    /**
     * Starts swtpm and waits until its control socket exists, so that QEMU can connect at once.
     *
     * @throws IOException when swtpm exits or does not open the socket before {@code deadline};
     *                     the message holds its log
     */
    public static Swtpm start(Path stateDir, Path socket, Path log, Path pidFile, Deadline deadline) throws IOException {
        Files.createDirectories(stateDir);
        Files.deleteIfExists(socket);
        QemuProcess p = QemuProcess.start(command(stateDir, socket, log), log.resolveSibling(log.getFileName() + ".out"), pidFile);
        Swtpm tpm = new Swtpm(p, socket, log);
        try {
            while (!Files.exists(socket)) {
                if (p.hasExited()) {
                    throw new IOException("swtpm exited at once with status " + p.exitStatus().orElse(-1) + tpm.said());
                }
                if (deadline.expired()) throw new IOException("swtpm did not open " + socket + " in time" + tpm.said());
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tpm.close();
            throw new IOException("interrupted while swtpm started");
        } catch (IOException e) {
            tpm.close();
            throw e;
        }
        return tpm;
    }

    private String said() {
        StringBuilder sb = new StringBuilder();
        for (Path f : List.of(log, log.resolveSibling(log.getFileName() + ".out"))) {
            try {
                if (Files.exists(f)) sb.append(Files.readString(f).strip());
            } catch (IOException e) {
                // evidence only
            }
        }
        return sb.isEmpty() ? "" : "; swtpm said: " + sb;
    }

    /** The control socket QEMU's {@code -chardev socket} connects to. */
    public Path socket() {
        return socket;
    }

    public Optional<Long> pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return !process.hasExited();
    }

    /** Ends swtpm (it has written its state after every command) and waits for it. Idempotent. */
    @Override
    public void close() {
        if (!process.hasExited() && !process.awaitExit(Duration.ofMillis(200))) process.kill();
        process.release();
        process.awaitExit(Duration.ofSeconds(5));
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "swtpm");
            if (Files.isExecutable(p)) return p.toString();
        }
        throw new IllegalStateException("swtpm is not installed: run harness/bin/setup-host (Debian packages swtpm, swtpm-tools)");
    }
}
