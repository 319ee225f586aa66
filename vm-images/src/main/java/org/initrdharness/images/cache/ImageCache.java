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
import java.util.concurrent.ConcurrentHashMap;
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

    /** Blocks until this process holds the lock {@code name} (one per arch, say). */
    public Lock lock(String name) throws IOException {
        Path file = dir("locks").resolve(name + ".lock");
        ReentrantLock local = LOCAL_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
        local.lock();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.lock();
            return () -> {
                try {
                    fl.release();
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
