package org.initrdharness.images.cache;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A directory of finished entries named by the hash of their inputs. An entry is built in a
 * temporary directory beside the entries and renamed into place only when complete, with a
 * completion marker holding the sha256 of its manifest; an entry without a valid marker is
 * never used. Builders of the same name take a lock (across processes and threads).
 */
public final class ImageCache {
    /** The completion marker: the sha256 of the entry's manifest.json. */
    public static final String COMPLETE = "complete";
    public static final String MANIFEST = "manifest.json";

    private static final Map<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

    private final Path root;

    public ImageCache(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    public Path root() {
        return root;
    }

    public Path dir(String name) throws IOException {
        return Files.createDirectories(root.resolve(name));
    }

    /** Where the finished entry {@code name} lives (it may not exist). */
    public Path entry(String name) {
        return root.resolve("entries").resolve(name);
    }

    /** A held lock; close it to release. */
    public interface Lock extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /**
     * How long {@link #lock} waits for another holder: longer than any build or download under
     * the lock takes (their own deadlines are 30 minutes), so only a hung holder runs into it.
     */
    public static final Duration LOCK_DEADLINE = Duration.ofMinutes(45);

    /** Waits (up to {@link #LOCK_DEADLINE}) until this process holds the lock {@code name} (one per release and arch, say). */
    public Lock lock(String name) throws IOException {
        return lock(name, LOCK_DEADLINE, message -> System.err.println("images: " + message));
    }

    /**
     * Waits until this process holds the lock {@code name}, saying once through {@code waiting}
     * which process holds it. A lock dies with its holder (the kernel releases it), so only a
     * live holder can block; after {@code deadline} the wait ends with an {@link IOException}
     * naming that process.
     */
    public Lock lock(String name, Duration deadline, Consumer<String> waiting) throws IOException {
        Path file = dir("locks").resolve(name + ".lock");
        long until = System.nanoTime() + deadline.toNanos();
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!local.tryLock(deadline.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("another thread of this process held the image-cache lock " + file + " for "
                        + deadline.toMinutes() + " min");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the image-cache lock " + file, e);
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock fl;
            boolean said = false;
            while ((fl = ch.tryLock()) == null) {
                String holder = holder(file);
                if (!said) {
                    waiting.accept("waiting for " + file + ", held by " + holder);
                    said = true;
                }
                if (System.nanoTime() > until) {
                    ch.close();
                    throw new IOException("the image-cache lock " + file + " is still held by " + holder + " after "
                            + deadline.toMinutes() + " min: if that process hangs, stop it and run again");
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    ch.close();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the image-cache lock " + file, e);
                }
            }
            // Who holds it, for whoever waits next: "pid 1234 (java ... images)".
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + ProcessHandle.current().info().command()
                    .orElse("?") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0);
            FileLock held = fl;
            return () -> {
                try {
                    held.release();
                    ch.close();
                } finally {
                    local.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            local.unlock();
            throw e;
        }
    }

    /** "process 1234 (/usr/bin/java)" from the lock file, as its holder wrote it. */
    private static String holder(Path file) {
        try {
            String[] parts = Files.readString(file).trim().split(" ", 2);
            if (parts.length == 0 || parts[0].isEmpty()) return "another process";
            return "process " + parts[0] + (parts.length > 1 ? " (" + parts[1] + ")" : "");
        } catch (IOException | RuntimeException e) {
            return "another process";
        }
    }

    /** A fresh directory to build an entry in, on the same filesystem as the entries. */
    public Path newBuildDir(String name) throws IOException {
        return Files.createTempDirectory(dir("tmp"), name + ".");
    }

    /**
     * Writes the completion marker into {@code built} and renames it to the entry {@code name},
     * moving aside (and deleting) a broken entry of that name first.
     */
    public Path commit(Path built, String name) throws IOException {
        Path manifest = built.resolve(MANIFEST);
        // A temporary directory is created private; the entry is for every user of the cache.
        Files.setPosixFilePermissions(built, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(built.resolve(COMPLETE), sha256(manifest) + "\n");
        Path target = entry(name);
        Files.createDirectories(target.getParent());
        if (Files.exists(target)) {
            Path aside = newBuildDir("broken-" + name);
            Files.delete(aside);
            Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(aside);
        }
        Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** True when the entry has its marker and the marker matches its manifest. */
    public boolean isComplete(Path entry) throws IOException {
        Path marker = entry.resolve(COMPLETE);
        Path manifest = entry.resolve(MANIFEST);
        if (!Files.isRegularFile(marker) || !Files.isRegularFile(manifest)) return false;
        return Files.readString(marker).trim().equals(sha256(manifest));
    }

    /** Removes leftovers of builders that died (temporary directories nobody holds a lock for). */
    public void sweep(String prefix) throws IOException {
        Path tmp = dir("tmp");
        try (var s = Files.list(tmp)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(prefix)) deleteTree(p);
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    public static String sha256(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
