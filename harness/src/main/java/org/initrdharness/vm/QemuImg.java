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

    /** A qcow2 overlay whose backing file is {@code base}: the guest's writes land in it, never in base. */
    public static void createOverlay(Path base, DiskFormat baseFormat, Path overlay) throws IOException {
        run(List.of("create", "-q", "-f", "qcow2", "-b", base.toAbsolutePath().toString(), "-F", baseFormat.qemuName(),
                overlay.toString()));
    }

    /** An empty qcow2 disk of {@code sizeBytes}. */
    public static void createEmpty(Path image, long sizeBytes) throws IOException {
        run(List.of("create", "-q", "-f", "qcow2", image.toString(), Long.toString(sizeBytes)));
    }

    static void run(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("qemu-img"));
        cmd.addAll(args);
        try {
            HostCommand.of(DEADLINE, cmd).check();
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "; is qemu-utils installed (harness/bin/setup-host)?", e);
        }
    }
}
