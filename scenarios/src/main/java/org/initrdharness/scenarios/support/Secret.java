package org.initrdharness.scenarios.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Something no report may hold, and the byte forms it could take there: a typed passphrase as
 * it was typed, a key file's bytes also as the hex and base64 a dump or a log would print.
 *
 * @param label what a leak report calls it (never the secret itself)
 * @param forms the byte strings a scan looks for
 */
public record Secret(String label, List<byte[]> forms) {
    public Secret {
        if (forms.isEmpty() || forms.stream().anyMatch(f -> f.length == 0)) {
            throw new IllegalArgumentException("a secret needs a non-empty form: " + label);
        }
        forms = List.copyOf(forms);
    }

    /** A passphrase, looked for as its UTF-8 bytes. */
    public static Secret passphrase(String label, String passphrase) {
        return new Secret(label, List.of(passphrase.getBytes(StandardCharsets.UTF_8)));
    }

    /** A key file's content: raw, lower- and upper-case hex, base64. */
    public static Secret keyFile(String label, byte[] key) {
        HexFormat hex = HexFormat.of();
        return new Secret(label, List.of(key.clone(),
                hex.formatHex(key).getBytes(StandardCharsets.US_ASCII),
                hex.withUpperCase().formatHex(key).getBytes(StandardCharsets.US_ASCII),
                Base64.getEncoder().encode(key)));
    }
}
