package org.initrdharness.images;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

/** manifest.json as entries built before the {@link Manifest} record have it (packages cut to two). */
public class ManifestTest {

    private static String fixture() throws IOException {
        try (InputStream in = ManifestTest.class.getResourceAsStream("manifest-x86_64.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void anExistingManifestReadsAndWritesBackByteForByte() throws IOException {
        Path dir = Files.createTempDirectory("manifest");
        Path in = Files.writeString(dir.resolve("in.json"), fixture());
        Manifest m = Manifest.read(in);
        assertEquals(m.kernel().packageName(), "linux-image-6.1.0-57-amd64");
        assertEquals(m.images().rootDisk().path(), "stage2.ext4");
        assertEquals(m.stage2().luksPassphrase(), "initrd-harness");
        assertEquals(m.packages().get(1).arch(), "amd64");
        assertEquals(m.sysroot().skipped(), List.of("./usr/share/doc/x", "./usr/share/doc/y"));
        assertEquals(List.copyOf(m.images().byName().keySet()),
                List.of("kernel", "kernelConfig", "luksDisk", "luksKeyfile", "rootDisk"));
        Path out = dir.resolve("out.json");
        m.write(out);
        assertEquals(Files.readString(out), fixture());
    }

    @Test
    public void anUnknownKeyIsRefused() throws IOException {
        Path dir = Files.createTempDirectory("manifest");
        Path in = Files.writeString(dir.resolve("in.json"), fixture().replace("\"recipe\" : 2,", "\"recipe\" : 2, \"extra\" : 1,"));
        assertThrows(IOException.class, () -> Manifest.read(in));
    }
}
