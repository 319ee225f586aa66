package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Looks for secrets in every file under a directory: logs, timelines, reports, initrds. */
public final class SecretScan {
    private SecretScan() {
    }

    /** The files under {@code dir} (recursively) whose bytes contain one of {@code secrets}, as "file: secret #i". */
    public static List<String> leaks(Path dir, List<String> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) return found;
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(f)) {
                bytes = in.readAllBytes();
            } catch (java.nio.file.NoSuchFileException gone) {
                continue; // a temporary file another test removed meanwhile
            }
            for (int i = 0; i < secrets.size(); i++) {
                if (indexOf(bytes, secrets.get(i).getBytes(StandardCharsets.UTF_8)) >= 0) {
                    found.add(f + ": secret #" + (i + 1));
                }
            }
        }
        return found;
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
