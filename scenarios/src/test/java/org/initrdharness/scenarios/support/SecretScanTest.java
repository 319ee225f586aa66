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
}
