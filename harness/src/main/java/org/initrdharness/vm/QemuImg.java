package org.initrdharness.vm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** qemu-img: overlays over base images and empty disks. */
public final class QemuImg {
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
        CommandLine cl = new CommandLine("qemu-img");
        for (String s : args) cl.addArgument(s, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DefaultExecutor ex = DefaultExecutor.builder().get();
        ex.setStreamHandler(new PumpStreamHandler(out));
        ex.setWatchdog(ExecuteWatchdog.builder().setTimeout(Duration.ofSeconds(60)).get());
        try {
            ex.execute(cl);
        } catch (ExecuteException e) {
            throw new IOException("qemu-img " + String.join(" ", args) + " failed (status " + e.getExitValue() + "): "
                    + out.toString(StandardCharsets.UTF_8).strip()
                    + "; is qemu-utils installed (harness/bin/setup-host)?", e);
        }
    }
}
