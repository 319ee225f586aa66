package org.initrdharness.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file through a temporary sibling and a rename, so readers never see half of it: the
 * target is replaced only when the whole write succeeded, and a failed write leaves the old file
 * as it was and no temporary file behind. Parent directories are created.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes what can fail with an {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    /** Streams {@code body}'s output to {@code file}; the stream is closed before the rename. */
    public static void write(Path file, IOConsumer<? super OutputStream> body) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        commit(tmp, abs, () -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                body.accept(out);
            }
        });
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    public static void write(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * For files written by name (by another process, say): {@code fill} is given a sibling path
     * that does not exist yet, creates it, and may set its permissions before the rename.
     */
    public static void writeTo(Path file, IOConsumer<? super Path> fill) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toUnsignedString(
                ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        commit(tmp, abs, () -> fill.accept(tmp));
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void commit(Path tmp, Path target, Step fill) throws IOException {
        try {
            fill.run();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            // gone after a rename; after a failure, what the fill left
            Files.deleteIfExists(tmp);
        }
    }
}
