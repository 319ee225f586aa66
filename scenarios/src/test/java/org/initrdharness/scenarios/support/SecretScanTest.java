package org.initrdharness.scenarios.support;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class SecretScanTest {

    @Test
    public void findsASecretInANestedFileAndNothingElse() throws IOException {
        Path dir = Files.createTempDirectory("secret-scan");
        String secret = ScratchLuks.freshPassphrase();
        Files.createDirectories(dir.resolve("a/b"));
        Files.writeString(dir.resolve("a/b/console.log"), "[ 1.0] >>> <secret>\\r\nPlease enter " + secret + "\n");
        Files.writeString(dir.resolve("a/timeline.txt"), "input <secret>\n");
        Files.write(dir.resolve("initrd.img"), new byte[] {0, 1, 2, 3});

        List<String> leaks = SecretScan.leaks(dir, List.of("never-there", secret));

        assertEquals(leaks, List.of(dir.resolve("a/b/console.log") + ": secret #2"));
        assertTrue(SecretScan.contains("x" + secret + "y", List.of(secret)));
        SecretScan.Result r = SecretScan.scan(dir, List.of(secret));
        assertEquals(r.scanned().size(), 3, r.scanned().toString());
        assertTrue(r.covered(dir.resolve("a/b/../b/console.log")), r.scanned().toString());
        assertFalse(r.covered(dir.resolve("a/other.log")), r.scanned().toString());
    }

    @Test
    public void readsABootBundleAsWhatItUnpacksTo() throws IOException {
        Path dir = Files.createTempDirectory("secret-scan-bundle");
        String secret = ScratchLuks.freshPassphrase();
        try (var out = new com.github.luben.zstd.ZstdOutputStreamNoFinalizer(Files.newOutputStream(dir.resolve("boot.tar.zst")), 19)) {
            // Enough varied text around it that zstd Huffman-codes the literals: the secret's bytes are not in the file.
            StringBuilder text = new StringBuilder();
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < 20000; i++) text.append((char) ('a' + r.nextInt(8)));
            text.append(" typed ").append(secret).append(' ');
            for (int i = 0; i < 20000; i++) text.append((char) ('a' + r.nextInt(8)));
            out.write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertFalse(SecretScan.contains(new String(Files.readAllBytes(dir.resolve("boot.tar.zst")),
                java.nio.charset.StandardCharsets.ISO_8859_1), List.of(secret)), "compressed, the bytes do not show it");
        assertEquals(SecretScan.leaks(dir, List.of(secret)), List.of(dir.resolve("boot.tar.zst") + ": secret #1"));
    }

    @Test
    public void findsAKeyFileRawInHexAndInBase64AndAnyPrivateKey() throws IOException {
        Path dir = Files.createTempDirectory("secret-scan-keys");
        byte[] key = org.initrdharness.images.disk.LuksVolume.keyfileBytes();
        Files.write(dir.resolve("raw.bin"), concat(new byte[] {9, 9}, key, new byte[] {7}));
        Files.writeString(dir.resolve("hexdump.log"), "key: " + java.util.HexFormat.of().formatHex(key) + "\n");
        Files.writeString(dir.resolve("base64.txt"), java.util.Base64.getEncoder().encodeToString(key));
        Files.writeString(dir.resolve("id_ed25519.txt"), "x\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n");
        Files.writeString(dir.resolve("tls.pem"), "-----BEGIN PRIVATE KEY-----\nMIIE\n");
        Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nMIIE\n-----BEGIN PUBLIC KEY-----\n");
        Files.write(dir.resolve("half.bin"), java.util.Arrays.copyOf(key, key.length - 1));
        byte[] nearly = key.clone();
        nearly[nearly.length - 1] ^= 1;
        Files.write(dir.resolve("nearly.bin"), concat(new byte[] {5}, nearly, new byte[] {5}));

        List<String> leaks = SecretScan.scanFor(dir, RunSecrets.all()).leaks();

        String label = "the images' LUKS key file";
        assertEquals(leaks, List.of(
                dir.resolve("base64.txt") + ": " + label,
                dir.resolve("hexdump.log") + ": " + label,
                dir.resolve("id_ed25519.txt") + ": private key (OPENSSH) at byte 2",
                dir.resolve("raw.bin") + ": " + label,
                dir.resolve("tls.pem") + ": private key (PKCS#8) at byte 0"));
    }

    @Test
    public void aFileATestBuiltWithTheKeyFileIsNamedNotCountedAndItsCopiesStillAre() throws IOException {
        Path dir = Files.createTempDirectory("secret-scan-by-design");
        byte[] key = org.initrdharness.images.disk.LuksVolume.keyfileBytes();
        Files.createDirectories(dir.resolve("initrds"));
        Files.write(dir.resolve("initrds/keyed.img"), concat(new byte[] {1}, key, new byte[] {2}));
        Files.write(dir.resolve("initrds/copy.img"), concat(new byte[] {1}, key, new byte[] {2}));
        RunSecrets.holdsByDesign(dir.resolve("initrds/../initrds/keyed.img"), RunSecrets.IMAGES_KEY_FILE, "built so");

        SecretScan.Result r = SecretScan.scanFor(dir, RunSecrets.all());

        assertEquals(r.leaks(), List.of(dir.resolve("initrds/copy.img") + ": " + RunSecrets.IMAGES_KEY_FILE));
        assertEquals(r.byDesign(), List.of(dir.resolve("initrds/keyed.img") + ": " + RunSecrets.IMAGES_KEY_FILE + " (built so)"));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    @Test
    public void aDirectoryThatIsNotThereIsAnErrorNotACleanScan() {
        Path missing = Path.of("target", "no-such-report-dir-" + ScratchLuks.freshPassphrase());
        expectThrows(NoSuchFileException.class, () -> SecretScan.leaks(missing, List.of("x")));
    }

    @Test
    public void freshPassphrasesDiffer() {
        String a = ScratchLuks.freshPassphrase();
        assertTrue(a.startsWith(ScratchLuks.PASSPHRASE_PREFIX) && a.length() == ScratchLuks.PASSPHRASE_PREFIX.length() + 16, a);
        assertTrue(!a.equals(ScratchLuks.freshPassphrase()));
    }

    @Test
    public void anSshKeyMadeForARunIsFoundAsItsRawBytesAndItsArmouredLine() throws IOException {
        Path keys = Files.createTempDirectory("secret-scan-ssh");
        Path dir = Files.createTempDirectory("secret-scan-ssh-report");
        try {
            SshKeys key = SshKeys.generate(keys, "scan-me");
            assertEquals(SshKeys.labelOf(keys.resolve("x/../scan-me")), "SSH private key 'scan-me'");
            String armoured = Files.readAllLines(key.privateKey()).get(1);
            Files.writeString(dir.resolve("line.log"), "said: " + armoured + "\n");
            byte[] raw = org.initrdharness.stage1.OpenSshKey.read(key.privateKey(), "k").secret();
            Files.write(dir.resolve("raw.bin"), raw);
            Files.writeString(dir.resolve("public.log"), key.publicLine() + "\n");

            List<String> leaks = SecretScan.scanFor(dir, RunSecrets.all()).leaks();

            assertEquals(leaks, List.of(dir.resolve("line.log") + ": SSH private key 'scan-me'",
                    dir.resolve("raw.bin") + ": SSH private key 'scan-me'"), "the public key is no secret");
        } finally {
            for (Path d : List.of(keys, dir)) {
                try (var s = Files.walk(d)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }
}
