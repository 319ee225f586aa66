package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Looks for secrets in every file under a directory: logs, timelines, reports, initrds. */
public final class SecretScan {
    private SecretScan() {
    }

    /**
     * What a scan saw and found.
     *
     * @param scanned every file read, as absolute normalised paths
     * @param leaks   the files holding a secret, as "file: secret #i"
     */
    public record Result(List<Path> scanned, List<String> leaks) {
        /** Whether {@code file} was among the files read. */
        public boolean covered(Path file) {
            return scanned.contains(file.toAbsolutePath().normalize());
        }
    }

    /**
     * Reads every file under {@code dir} (recursively) for {@code secrets}. A directory that does
     * not exist is an error, not a clean result: nothing would have been looked at.
     */
    public static Result scan(Path dir, List<String> secrets) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no directory to scan for secrets");
        List<String> found = new ArrayList<>();
        List<Path> scanned = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(f)) {
                bytes = in.readAllBytes();
            } catch (NoSuchFileException gone) {
                continue; // a temporary file another test removed meanwhile
            }
            scanned.add(f.toAbsolutePath().normalize());
            for (int i = 0; i < secrets.size(); i++) {
                if (indexOf(bytes, secrets.get(i).getBytes(StandardCharsets.UTF_8)) >= 0) {
                    found.add(f + ": secret #" + (i + 1));
                }
            }
        }
        return new Result(List.copyOf(scanned), List.copyOf(found));
    }

    /** The files under {@code dir} (recursively) whose bytes contain one of {@code secrets}, as "file: secret #i". */
    public static List<String> leaks(Path dir, List<String> secrets) throws IOException {
        return scan(dir, secrets).leaks();
    }

    /** True when {@code text} holds one of {@code secrets}. */
    public static boolean contains(String text, List<String> secrets) {
        return secrets.stream().anyMatch(text::contains);
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
