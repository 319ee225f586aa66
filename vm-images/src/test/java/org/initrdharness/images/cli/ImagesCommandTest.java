package org.initrdharness.images.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.cli.Main;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Release;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/** {@code initrd-harness images}, through the real command line (the sub-command comes from META-INF/services). */
public class ImagesCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    public void unsupportedArchIsAClearErrorNotAStackTrace() {
        Run r = run("images", "--arch", "sparc64", "--quiet");
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains("unsupported arch 'sparc64'") && r.err().contains("x86_64"), r.err());
    }

    @Test
    public void unknownStorageLayoutIsRefusedBeforeAnyImageIsBuilt() throws Exception {
        // A cache under a regular file cannot be made: had the command gone on, it would say so instead.
        Path file = java.nio.file.Files.createTempFile("not-a-dir", "");
        Run r = run("images", "--arch", "x86_64", "--storage", "raid9", "--cache", file.resolve("cache").toString(), "--quiet");
        java.nio.file.Files.delete(file);
        assertEquals(r.exit(), 2, r.err());
        assertEquals(r.err().strip(), "images: --storage: unknown layout 'raid9': use one of [btrfs-raid1, luks-on-lvm, lvm-on-luks, lvm-two-disks, raid1-luks-lvm, raid1-two-disks]");
    }

    @Test
    public void jsonHasOneObjectPerArchWithTheAgreedKeys() throws Exception {
        Run r = run("images", "--arch", "x86_64", "--arch", "aarch64", "--cache", CacheDirectory.root().toString(),
                "--json", "--quiet");
        assertEquals(r.exit(), 0, r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(lines.size(), 2, r.out());
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            for (String k : List.of("arch", "release", "systemdVersion", "kernel", "modules", "sysroot", "rootDisk", "luksDisk", "luksPassphrase",
                    "luksKeyfile", "luksUuid", "manifest")) {
                assertTrue(j.hasNonNull(k), k + " missing in " + line);
            }
        }
        assertEquals(new ObjectMapper().readTree(lines.get(1)).path("arch").asText(), "aarch64");
    }

    @Test
    public void jsonHasPlainPathsAndTheArchId() throws Exception {
        Path e = Path.of("/cache/entries/x86_64-0123");
        GuestImages g = new GuestImages(Arch.X86_64, Release.TRIXIE, "257", "6.1.0-57-amd64", e.resolve("kernel/boot/vmlinuz-6.1.0-57-amd64"),
                e.resolve("kernel/lib/modules/6.1.0-57-amd64"), e.resolve("kernel/lib/firmware"), e.resolve("sysroot"),
                e.resolve("stage2.ext4"), "stage2root", "5e72", e.resolve("stage2-luks.img"), "1c5a", "pass \"word\"",
                e.resolve("stage2-luks.key"), e.resolve("manifest.json"), e.resolve("kernel/boot/config-6.1.0-57-amd64"));
        assertEquals(ImagesCommand.toJson(g), "{\"arch\":\"x86_64\",\"release\":\"trixie\",\"systemdVersion\":\"257\",\"kernelVersion\":\"6.1.0-57-amd64\","
                + "\"kernel\":\"/cache/entries/x86_64-0123/kernel/boot/vmlinuz-6.1.0-57-amd64\","
                + "\"modules\":\"/cache/entries/x86_64-0123/kernel/lib/modules/6.1.0-57-amd64\","
                + "\"firmware\":\"/cache/entries/x86_64-0123/kernel/lib/firmware\","
                + "\"sysroot\":\"/cache/entries/x86_64-0123/sysroot\","
                + "\"rootDisk\":\"/cache/entries/x86_64-0123/stage2.ext4\",\"rootLabel\":\"stage2root\",\"rootUuid\":\"5e72\","
                + "\"luksDisk\":\"/cache/entries/x86_64-0123/stage2-luks.img\",\"luksUuid\":\"1c5a\","
                + "\"luksPassphrase\":\"pass \\\"word\\\"\","
                + "\"luksKeyfile\":\"/cache/entries/x86_64-0123/stage2-luks.key\","
                + "\"manifest\":\"/cache/entries/x86_64-0123/manifest.json\","
                + "\"kernelConfig\":\"/cache/entries/x86_64-0123/kernel/boot/config-6.1.0-57-amd64\"}");
    }
}
