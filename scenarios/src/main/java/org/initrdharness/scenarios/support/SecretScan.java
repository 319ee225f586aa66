package org.initrdharness.scenarios.support;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Looks for secrets in every file under a directory (logs, timelines, reports, bundles, initrds):
 * the given passphrases and key files, and any private key by its PEM or OpenSSH armour, whoever
 * made it.
 */
public final class SecretScan {
    /** The armour of a PEM or OpenSSH private key ("-----BEGIN RSA PRIVATE KEY-----", ...). */
    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----");

    private SecretScan() {
    }

    /**
     * What a scan saw and found.
     *
     * @param scanned  every file read, as absolute normalised paths
     * @param leaks    the files holding a secret, as "file: secret #i" for the i-th given passphrase,
     *                 "file: LABEL" for other secrets and "file: private key (KIND) at byte N"
     * @param byDesign the files holding a secret a test put there ({@link RunSecrets#holdsByDesign}),
     *                 as "file: LABEL (why)": named, not leaks
     */
    public record Result(List<Path> scanned, List<String> leaks, List<String> byDesign) {
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
        List<Secret> typed = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) typed.add(Secret.passphrase("secret #" + (i + 1), secrets.get(i)));
        return scanFor(dir, typed);
    }

    /**
     * Reads every file under {@code dir} (recursively) for {@code secrets} and for private keys.
     * A directory that does not exist is an error, not a clean result.
     */
    public static Result scanFor(Path dir, List<Secret> secrets) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no directory to scan for secrets");
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        return scanFiles(files, secrets);
    }

    /** Reads {@code files} for {@code secrets} and private keys; a file removed meanwhile is left out. */
    public static Result scanFiles(List<Path> files, List<Secret> secrets) throws IOException {
        List<String> found = new ArrayList<>();
        List<String> byDesign = new ArrayList<>();
        List<Path> scanned = new ArrayList<>();
        Forms forms = new Forms(secrets);
        for (Path f : files) {
            byte[] bytes;
            try (InputStream in = open(f)) {
                bytes = in.readAllBytes();
            } catch (NoSuchFileException gone) {
                continue; // a temporary file another test removed meanwhile
            }
            scanned.add(f.toAbsolutePath().normalize());
            Set<Secret> held = forms.foundIn(bytes);
            for (Secret secret : secrets) {
                if (!held.contains(secret)) continue;
                String why = RunSecrets.whyHeld(f, secret.label());
                if (why == null) found.add(f + ": " + secret.label());
                else byDesign.add(f + ": " + secret.label() + " (" + why + ")");
            }
            // Latin-1 maps each byte to one char, so offsets stay byte offsets in binary files too.
            Matcher key = PRIVATE_KEY.matcher(new String(bytes, StandardCharsets.ISO_8859_1));
            if (key.find()) {
                String kind = key.group(1).isBlank() ? "PKCS#8" : key.group(1).strip();
                found.add(f + ": private key (" + kind + ") at byte " + key.start());
            }
        }
        return new Result(List.copyOf(scanned), List.copyOf(found), List.copyOf(byDesign));
    }

    /** A boot bundle is read as what it unpacks to: a secret inside would not show in its compressed bytes. */
    private static InputStream open(Path f) throws IOException {
        InputStream in = Files.newInputStream(f);
        if (f.getFileName().toString().endsWith(".tar.zst")) return new ZstdInputStreamNoFinalizer(in);
        return in;
    }

    /** The files under {@code dir} (recursively) whose bytes contain one of {@code secrets}, as "file: secret #i". */
    public static List<String> leaks(Path dir, List<String> secrets) throws IOException {
        return scan(dir, secrets).leaks();
    }

    /** True when {@code text} holds one of {@code secrets}. */
    public static boolean contains(String text, List<String> secrets) {
        return secrets.stream().anyMatch(text::contains);
    }

    /**
     * Every form of every secret, looked for in one pass over a file: at each byte only the forms
     * that begin with it are compared. A run's report directory holds hundreds of MB of initrds,
     * and a pass per form took seconds.
     */
    static final class Forms {
        private final Secret[][] secretsByFirst = new Secret[256][];
        private final byte[][][] formsByFirst = new byte[256][][];

        Forms(List<Secret> secrets) {
            for (int b = 0; b < 256; b++) {
                List<Secret> owners = new ArrayList<>();
                List<byte[]> forms = new ArrayList<>();
                for (Secret secret : secrets) {
                    for (byte[] form : secret.forms()) {
                        if ((form[0] & 0xff) == b) {
                            owners.add(secret);
                            forms.add(form);
                        }
                    }
                }
                if (!forms.isEmpty()) {
                    secretsByFirst[b] = owners.toArray(Secret[]::new);
                    formsByFirst[b] = forms.toArray(byte[][]::new);
                }
            }
        }

        /** The secrets one of whose forms occurs in {@code hay}. */
        Set<Secret> foundIn(byte[] hay) {
            Set<Secret> found = new HashSet<>();
            for (int i = 0; i < hay.length; i++) {
                byte[][] forms = formsByFirst[hay[i] & 0xff];
                if (forms == null) continue;
                for (int k = 0; k < forms.length; k++) {
                    if (at(hay, i, forms[k])) found.add(secretsByFirst[hay[i] & 0xff][k]);
                }
            }
            return found;
        }

        private static boolean at(byte[] hay, int i, byte[] form) {
            if (i + form.length > hay.length) return false;
            for (int j = 1; j < form.length; j++) {
                if (hay[i + j] != form[j]) return false;
            }
            return true;
        }
    }
}
