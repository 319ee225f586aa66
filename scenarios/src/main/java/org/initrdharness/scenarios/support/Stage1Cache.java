package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.replay.Sha256;
import org.initrdharness.stage1.Stage1Assembler;

/**
 * Stage 1s built by earlier runs, in {@code <cache>/stage1/<key>.img}, so that a run whose
 * builder, images and options are those of an earlier one boots the same bytes without building
 * them again. The key covers the builder's own code (its jar, or its class files under Maven),
 * so a changed recipe never boots an old initrd. The least recently used go first once the
 * directory holds more than {@link #MAX_BYTES} (about 150 stage 1s).
 */
final class Stage1Cache {
    static final long MAX_BYTES = 2L << 30;
    private static volatile String codeIdentity;

    private final Path dir;
    private final long maxBytes;

    Stage1Cache(Path dir) {
        this(dir, MAX_BYTES);
    }

    Stage1Cache(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The file a key is kept in. */
    Path entry(String key) {
        return dir.resolve(key + ".img");
    }

    /**
     * Puts the cached initrd of {@code key} at {@code out} (a hard link where the file system
     * allows it, else a copy) and marks it used; false when there is none.
     */
    boolean fetch(String key, Path out) throws IOException {
        Path cached = entry(key);
        if (!Files.isRegularFile(cached)) return false;
        try {
            Files.createDirectories(out.getParent());
            Files.deleteIfExists(out);
            try {
                Files.createLink(out, cached);
            } catch (FileSystemException | UnsupportedOperationException e) {
                AtomicFiles.write(out, os -> Files.copy(cached, os));
            }
            Files.setLastModifiedTime(cached, FileTime.fromMillis(System.currentTimeMillis()));
            return true;
        } catch (NoSuchFileException pruned) {
            return false; // another run's pruning took it meanwhile
        }
    }

    /** Keeps a copy of the freshly built {@code built} under {@code key}, then prunes. */
    void store(String key, Path built) throws IOException {
        AtomicFiles.write(entry(key), os -> Files.copy(built, os));
        prune();
    }

    private void prune() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".img")).toList());
        }
        files.sort(Comparator.comparing(Stage1Cache::lastUsed).reversed());
        long total = 0;
        for (Path f : files) {
            long size = sizeOf(f);
            total += size;
            if (total > maxBytes) Files.deleteIfExists(f);
        }
    }

    private static FileTime lastUsed(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The sha256 of the code that builds stage 1s: the jar the builder was loaded from, or its
     * class and resource files when it runs from a directory.
     */
    static String codeIdentity() {
        String id = codeIdentity;
        if (id != null) return id;
        try {
            Path code = Path.of(Stage1Assembler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            id = Files.isDirectory(code) ? Sha256.ofTree(code) : Sha256.of(code);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stage-1 builder's own code to key its cache", e);
        } catch (java.net.URISyntaxException | SecurityException | NullPointerException e) {
            throw new IllegalStateException("cannot find the stage-1 builder's own code to key its cache", e);
        }
        codeIdentity = id;
        return id;
    }
}
