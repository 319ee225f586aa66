package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.InitrdBuildException;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Keys made by the host's ssh-keygen (openssh-client, installed by setup-host), read back and converted. */
public class OpenSshKeyTest {
    private Path dir;

    @BeforeClass
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("openssh-key-test");
    }

    @AfterClass(alwaysRun = true)
    public void removeDir() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Path keygen(String name, String... extra) throws IOException {
        Path key = dir.resolve(name);
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ssh-keygen", "-q", "-C", name, "-f", key.toString()));
        cmd.addAll(java.util.List.of(extra));
        HostCommand.of(Duration.ofSeconds(60), cmd).check();
        return key;
    }

    @Test
    public void anEd25519KeyBecomesDropbearsFormatWithTheSamePublicKey() throws IOException {
        Path key = keygen("ed", "-t", "ed25519", "-N", "");
        OpenSshKey k = OpenSshKey.read(key, "sshUnlock.hostKey");
        String pub = Files.readString(Path.of(key + ".pub")).strip();
        assertEquals(k.publicLine(), pub.substring(0, pub.lastIndexOf(' ')), "the public key ssh-keygen printed");
        ByteBuffer b = ByteBuffer.wrap(k.dropbearFormat());
        byte[] type = new byte[b.getInt()];
        b.get(type);
        assertEquals(new String(type, StandardCharsets.US_ASCII), "ssh-ed25519");
        assertEquals(b.getInt(), 64, "seed and public key in one string");
        byte[] both = new byte[64];
        b.get(both);
        assertFalse(b.hasRemaining());
        assertTrue(Arrays.equals(Arrays.copyOfRange(both, 32, 64), k.publicKey()), "the public key follows the seed");
        assertFalse(k.toString().contains(java.util.HexFormat.of().formatHex(k.secret())), "toString never shows the secret");
    }

    @Test
    public void otherKeysAreRefusedNamingTheOptionAndWhatToDo() throws IOException {
        Path rsa = keygen("rsa", "-t", "rsa", "-b", "1024", "-N", "");
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> OpenSshKey.read(rsa, "sshUnlock.hostKey"));
        assertTrue(e.getMessage().startsWith("option sshUnlock.hostKey (" + rsa + ") is a ssh-rsa key"), e.getMessage());
        Path locked = keygen("locked", "-t", "ed25519", "-N", "a passphrase");
        e = expectThrows(InitrdBuildException.class, () -> OpenSshKey.read(locked, "sshUnlock.hostKey"));
        assertTrue(e.getMessage().contains("is encrypted"), e.getMessage());
        e = expectThrows(InitrdBuildException.class, () -> OpenSshKey.read(Path.of(locked + ".pub"), "sshUnlock.hostKey"));
        assertTrue(e.getMessage().contains("is not an OpenSSH private key"), e.getMessage());
        e = expectThrows(InitrdBuildException.class, () -> OpenSshKey.read(dir.resolve("none"), "sshUnlock.hostKey"));
        assertTrue(e.getMessage().contains("ssh-keygen -t ed25519"), e.getMessage());
    }
}
