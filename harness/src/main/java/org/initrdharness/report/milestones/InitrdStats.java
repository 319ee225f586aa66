package org.initrdharness.report.milestones;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.initrd.InitrdReader;

/**
 * An initrd's size on disk and its number of archive entries.
 *
 * @param file    where it was
 * @param bytes   its size in bytes (compressed, as the kernel loads it)
 * @param entries its newc entries over all archives, or -1 when it could not be read
 */
public record InitrdStats(String file, long bytes, int entries) {
    /** Every scenario boots the same few initrds: they are read once per file version. */
    private static final Map<String, InitrdStats> SEEN = new ConcurrentHashMap<>();

    /** The stats of {@code initrd}, empty when there is no such file. */
    public static Optional<InitrdStats> of(Path initrd) {
        if (initrd == null || !Files.isRegularFile(initrd)) return Optional.empty();
        try {
            long bytes = Files.size(initrd);
            String key = initrd.toAbsolutePath() + ":" + bytes + ":" + Files.getLastModifiedTime(initrd).toMillis();
            return Optional.of(SEEN.computeIfAbsent(key, k -> read(initrd, bytes)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static InitrdStats read(Path initrd, long bytes) {
        int entries;
        try {
            entries = InitrdReader.read(initrd).entries().size();
        } catch (IOException | RuntimeException e) {
            entries = -1; // not an archive the reader knows: its size is still worth reporting
        }
        return new InitrdStats(initrd.toAbsolutePath().toString(), bytes, entries);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file);
        m.put("bytes", bytes);
        m.put("entries", entries);
        return m;
    }
}
