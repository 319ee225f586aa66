package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.initrdharness.host.HostCommand;
import org.initrdharness.stage1.OpenSshKey;

/**
 * Ed25519 key pairs made per run by the host's ssh-keygen (openssh-client, from setup-host),
 * never committed. Each private key is remembered for {@link RunSecrets}: no artifact may hold
 * it, as its file, its armoured lines or its raw bytes.
 *
 * @param privateKey the OpenSSH private key file (no passphrase)
 * @param publicLine "ssh-ed25519 AAAA..." as authorized_keys and known_hosts take it
 */
public record SshKeys(Path privateKey, String publicLine) {
    private static final List<Secret> ISSUED = new CopyOnWriteArrayList<>();
    private static final Map<Path, String> LABELS = new ConcurrentHashMap<>();

    /** A new key pair in {@code dir} (a directory outside every report), named {@code name}. */
    public static SshKeys generate(Path dir, String name) throws IOException {
        Path key = dir.resolve(name);
        HostCommand.of(Duration.ofSeconds(60), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                "-f", key.toString()).check();
        byte[] file = Files.readAllBytes(key);
        OpenSshKey parsed = OpenSshKey.read(key, "ssh key " + name);
        List<byte[]> forms = new ArrayList<>(Secret.keyFile("", parsed.secret()).forms());
        forms.add(file);
        // The first armoured line: what a log holding part of the file would show.
        String[] lines = new String(file, StandardCharsets.US_ASCII).split("\n");
        forms.add(lines[1].getBytes(StandardCharsets.US_ASCII));
        Secret secret = new Secret("SSH private key '" + name + "'", forms);
        ISSUED.add(secret);
        LABELS.put(key.toAbsolutePath().normalize(), secret.label());
        return new SshKeys(key, parsed.publicLine());
    }

    /** How scans name the private key in {@code file}, when this JVM made it; else null. */
    public static String labelOf(Path file) {
        return LABELS.get(file.toAbsolutePath().normalize());
    }

    /** Every private key made in this JVM. */
    public static List<Secret> issued() {
        return List.copyOf(ISSUED);
    }
}
