package org.initrdharness.vm;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.host.HostCommand;

/** qemu-img: overlays over base images and empty disks. */
public final class QemuImg {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private QemuImg() {}

    /**
     * A qcow2 overlay whose backing file is {@code base}: the guest's writes land in it, never in
     * base. Returns the command it ran, for replay scripts.
     */
    public static List<String> createOverlay(Path base, DiskFormat baseFormat, Path overlay) throws IOException {
        return run(List.of("create", "-q", "-f", "qcow2", "-b", base.toAbsolutePath().toString(), "-F", baseFormat.qemuName(),
                overlay.toString()));
    }

    /** An empty qcow2 disk of {@code sizeBytes}. Returns the command it ran, for replay scripts. */
    public static List<String> createEmpty(Path image, long sizeBytes) throws IOException {
        return run(List.of("create", "-q", "-f", "qcow2", image.toString(), Long.toString(sizeBytes)));
    }

    static List<String> run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(args);
        try {
            HostCommand.of(DEADLINE, cmd).check();
            return List.copyOf(cmd);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; is qemu-utils installed (harness/bin/setup-host)?", e);
        }
    }
}
