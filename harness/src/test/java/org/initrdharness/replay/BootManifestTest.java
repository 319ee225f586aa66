package org.initrdharness.replay;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

public class BootManifestTest {

    @Test
    public void pathsBecomeTokensAndResolveToOtherFiles() throws IOException {
        Path dir = Files.createTempDirectory("manifest");
        Path kernel = Files.writeString(dir.resolve("kernel"), "k");
        Path vmlinux = Files.writeString(dir.resolve("kernel.vmlinux"), "v");
        Path initrd = Files.writeString(dir.resolve("in,itrd.img"), "i");
        List<BootInput> inputs = List.of(
                new BootInput("kernel-source", "kernel-source", kernel, Sha256.of(kernel), 1, null),
                new BootInput("kernel", "kernel", vmlinux, Sha256.of(vmlinux), 1, null),
                new BootInput("initrd", "initrd", initrd, Sha256.of(initrd), 1, null));
        Path scratch = Path.of("/tmp/ihm-123");
        List<String> command = List.of("qemu", "-kernel", vmlinux.toString(), "-initrd", initrd.toString(),
                "-blockdev", "driver=qcow2,file.filename=/tmp/ihm-123/disk-root.qcow2", "-x", "path=" + initrd.toString().replace(",", ",,"));
        List<String> tokens = BootManifest.tokenize(command, scratch, inputs);
        assertEquals(tokens, List.of("qemu", "-kernel", "@{input:kernel}", "-initrd", "@{input:initrd}",
                "-blockdev", "driver=qcow2,file.filename=@{dir}/disk-root.qcow2", "-x", "path=@{input:initrd}"),
                "the longer path (kernel.vmlinux) is not cut by the shorter (kernel); a doubled comma is found too");

        BootManifest m = new BootManifest("x86_64", "TCG", "console=ttyS0", tokens, inputs,
                List.of(new BootManifest.Overlay("@{dir}/disk-root.qcow2", "disk-root", "raw")), List.of(), List.of("<secret>\\r"));
        Path file = dir.resolve("inputs.json");
        m.write(file);
        BootManifest back = BootManifest.read(file);
        assertEquals(back, m);
        List<String> resolved = back.resolve(Path.of("/tmp/r"), Map.of("kernel", Path.of("/b/v"), "initrd", Path.of("/b/i,x")));
        assertEquals(resolved, List.of("qemu", "-kernel", "/b/v", "-initrd", "/b/i,x",
                "-blockdev", "driver=qcow2,file.filename=/tmp/r/disk-root.qcow2", "-x", "path=/b/i,,x"));
        assertEquals(BootManifest.inDir("@{dir}/disk-root.qcow2", Path.of("/tmp/r")), Path.of("/tmp/r/disk-root.qcow2"));
        expectThrows(IllegalStateException.class, () -> back.resolve(Path.of("/tmp/r"), Map.of("kernel", Path.of("/b/v"))));
    }

    @Test
    public void aFileThatIsNotAManifestIsRefusedNamingIt() throws IOException {
        Path f = Files.writeString(Files.createTempFile("inputs", ".json"), "{\"version\":1,\"arch\":\"x86_64\"}");
        IOException e = expectThrows(IOException.class, () -> BootManifest.read(f));
        assertTrue(e.getMessage().contains(f + ": field 'inputs' is missing"), e.getMessage());
    }

    @Test
    public void anInputIsFoundAtItsPathOrInTheCacheByHash() throws IOException {
        Path dir = Files.createTempDirectory("finder");
        Path cache = Files.createDirectories(dir.resolve("cache/deep"));
        Path moved = Files.writeString(cache.resolve("other-name.img"), "disk content");
        Files.writeString(cache.resolve("same-size-other.img"), "disk CONTENT");
        BootInput gone = new BootInput("disk-root", "disk", dir.resolve("gone.img"), Sha256.of(moved), Files.size(moved), "raw");
        assertEquals(new InputFinder(dir.resolve("cache")).find(gone), moved);
        BootInput unknown = new BootInput("initrd", "initrd", dir.resolve("x.img"), "00".repeat(32), 12, null);
        IOException e = expectThrows(IOException.class, () -> new InputFinder(dir.resolve("cache")).find(unknown));
        assertTrue(e.getMessage().contains("input initrd (initrd, sha256 0000000000000000…, 12 bytes) is neither at "
                + dir.resolve("x.img") + " nor in the cache"), e.getMessage());
    }
}
