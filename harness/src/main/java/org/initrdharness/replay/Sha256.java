package org.initrdharness.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** Content hashes of boot inputs, remembered per JVM by path, size and modification time. */
public final class Sha256 {
    private record Key(Path path, long size, long mtime) {}

    private static final Map<Key, String> KNOWN = new ConcurrentHashMap<>();

    private Sha256() {}

    /** The file's sha256 in hex; a file unchanged since its last hash in this JVM is not read again. */
    public static String of(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Key key = new Key(abs, Files.size(abs), Files.getLastModifiedTime(abs).toMillis());
        String known = KNOWN.get(key);
        if (known != null) return known;
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(abs)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        String hex = HexFormat.of().formatHex(md.digest());
        KNOWN.put(key, hex);
        return hex;
    }

    /**
     * One sha256 of a directory's regular files: each one's relative path, a NUL and its bytes,
     * in path order. Not remembered: a tree has no single modification time.
     */
    public static String ofTree(Path dir) throws IOException {
        MessageDigest md = digest();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(Files.readAllBytes(f));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
