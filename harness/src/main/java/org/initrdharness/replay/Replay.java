package org.initrdharness.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        return m.resolve(workDir, files);
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
