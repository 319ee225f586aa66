package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class InitrdWriterTest {
    private Path dir;
    private InitrdPlan plan;

    @BeforeMethod
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("initrd-writer");
        Path lib = dir.resolve("libfake.so");
        byte[] data = new byte[200_000];
        Random r = new Random(3);
        for (int i = 0; i < data.length; i++) data[i] = (byte) (r.nextInt(16) + 'a'); // compressible
        Files.write(lib, data);
        plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/libfake.so"), lib, 0644, "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/init"), "#!/bin/sh\nexec /bin/sh\n", 0755, "test"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/lib"), "usr/lib", "test"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "test"))
                .build();
    }

    @AfterMethod(alwaysRun = true)
    public void tearDown() throws Exception {
        Tools.ok(Path.of("/"), null, "rm", "-rf", dir.toString());
    }

    /** The Debian package of each tool (harness/bin/setup-host installs them). */
    private static final Map<String, String> PACKAGE_OF = Map.of("gzip", "gzip", "zstd", "zstd", "xz", "xz-utils",
            "lz4", "lz4", "cpio", "cpio");

    private static void require(String tool) {
        Tools.require(tool, PACKAGE_OF.get(tool));
    }

    @DataProvider
    public Object[][] compressions() {
        return new Object[][] {
            {"none", null}, {"gzip", "gzip"}, {"gzip:1", "gzip"}, {"zstd", "zstd"}, {"zstd:19", "zstd"},
            {"xz", "xz"}, {"lz4", "lz4"}, {"lz4:1", "lz4"},
        };
    }

    /** Each compression is decoded by the real tool, and GNU cpio lists the result. */
    @Test(dataProvider = "compressions")
    public void realToolsDecodeEachCompression(String spec, String tool) throws Exception {
        if (tool != null) require(tool);
        require("cpio");
        Path out = dir.resolve("initrd.img");
        InitrdWriter.Result result = InitrdWriter.write(plan, Compression.parse(spec), List.of(), out);
        assertEquals(result.entries(), plan.size());
        assertEquals(result.fileBytes(), Files.size(out));
        Path cpio = dir.resolve("initrd.cpio");
        if (tool == null) {
            Files.copy(out, cpio);
        } else {
            String[] decode = {tool, "-dc"};
            Files.write(cpio, Tools.ok(dir, out, decode).getBytes(StandardCharsets.ISO_8859_1));
        }
        assertEquals(Files.size(cpio), result.archiveBytes());
        String listing = Tools.ok(dir, cpio, "cpio", "-it", "--quiet");
        assertEquals(Tools.lines(listing),
                List.of("dev", "dev/console", "init", "lib", "usr", "usr/lib", "usr/lib/libfake.so"));

        InitrdReader.Contents read = InitrdReader.read(out);
        assertEquals(read.parts().get(0).compression(), Compression.parse(spec).format());
        assertEquals(read.byPath().get("/usr/lib/libfake.so").data(), Files.readAllBytes(dir.resolve("libfake.so")));
    }

    @Test
    public void xzUsesTheCrc32CheckTheKernelNeeds() throws Exception {
        Path out = dir.resolve("initrd.img");
        InitrdWriter.write(plan, Compression.parse("xz"), List.of(), out);
        String info = Tools.ok(dir, null, "xz", "-lvv", out.toString());
        assertTrue(info.contains("CRC32") && !info.contains("CRC64"), info);
        Tools.ok(dir, null, "xz", "-t", out.toString());
    }

    /** Blocks of up to three dictionaries, like xz -T0, each listed in the index. */
    @Test
    public void xzCutsALargeArchiveIntoBlocks() throws Exception {
        Path big = dir.resolve("big.bin");
        byte[] data = new byte[5 << 20];
        new Random(9).nextBytes(data);
        Files.write(big, data);
        InitrdPlan bigPlan = plan.toBuilder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/big.bin"), big, 0644, "test")).build();
        Path out = dir.resolve("blocks.img");
        InitrdWriter.write(bigPlan, Compression.parse("xz:0"), List.of(), out); // 256 KiB dictionary
        String info = Tools.ok(dir, null, "xz", "-lvv", out.toString());
        long blocks = info.lines().filter(l -> l.matches("\\s+1\\s+\\d+\\s+\\d+.*CRC32.*")).count();
        assertTrue(blocks >= 2, "blocks: " + blocks + "\n" + info);
        assertEquals(InitrdReader.read(out).byPath().get("/big.bin").data(), data);
    }

    /** The kernel's streaming zstd decoder allocates the window early in boot: keep it at 8 MiB. */
    @Test
    public void zstdDefaultWindowIsEightMib() throws Exception {
        Path out = dir.resolve("initrd.img");
        InitrdWriter.write(plan, Compression.zstd(), List.of(), out);
        String info = Tools.ok(dir, null, "zstd", "-lv", out.toString());
        assertTrue(info.contains("Window Size: 8.00 MiB"), info);
    }

    @Test
    public void zstdJobsAreEqualAndIndependentOfTheWorkerCount() {
        assertEquals(Compression.zstdJobSize(-1), 0);
        assertEquals(Compression.zstdJobSize(100_000), 1 << 20);
        assertEquals(Compression.zstdJobSize(41_576_492), 20 << 20, "two jobs for a 40 MiB systemd initrd");
        assertEquals(Compression.zstdJobSize(100L << 20), 25 << 20, "four jobs, an even number, at most 32 MiB");
    }

    @Test
    public void zstdOutputIsTheSameForAnyNumberOfWorkers() throws Exception {
        Path one = dir.resolve("one.img");
        Path two = dir.resolve("two.img");
        InitrdWriter.write(plan, Compression.zstd().withThreads(1), List.of(), one);
        InitrdWriter.write(plan, Compression.zstd().withThreads(2), List.of(), two);
        assertEquals(Files.readAllBytes(two), Files.readAllBytes(one));
    }

    /** gzip and lz4 cut the archive into blocks compressed on several threads. */
    @Test(dataProvider = "blockCompressions")
    public void blockCompressionIsTheSameForAnyNumberOfThreads(String spec, String tool, int mib) throws Exception {
        require(tool);
        require("cpio");
        // lz4 blocks are 8 MiB, gzip blocks 1 MiB: the archive spans several of them.
        Path big = dir.resolve("big.bin");
        byte[] data = new byte[mib << 20];
        Random r = new Random(5);
        for (int i = 0; i < data.length; i++) data[i] = (byte) ('a' + r.nextInt(8));
        Files.write(big, data);
        InitrdPlan bigPlan = plan.toBuilder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/big.bin"), big, 0644, "test")).build();
        Path one = dir.resolve("one.img");
        Path three = dir.resolve("three.img");
        InitrdWriter.write(bigPlan, Compression.parse(spec).withThreads(1), List.of(), one);
        InitrdWriter.write(bigPlan, Compression.parse(spec).withThreads(3), List.of(), three);
        assertEquals(Files.readAllBytes(three), Files.readAllBytes(one));
        assertTrue(Files.size(one) < data.length * 0.9, "compressed: " + Files.size(one));
        Path cpio = dir.resolve("big.cpio");
        Files.write(cpio, Tools.ok(dir, three, tool, "-dc").getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(Tools.ok(dir, cpio, "cpio", "-it", "--quiet").contains("big.bin"));
        assertEquals(InitrdReader.read(three).byPath().get("/big.bin").data(), data);
    }

    @DataProvider
    public Object[][] blockCompressions() {
        return new Object[][] {{"lz4:1", "lz4", 20}, {"gzip:1", "gzip", 5}, {"gzip:9", "gzip", 3}, {"xz:0", "xz", 6}};
    }

    @Test
    public void prependedEarlyArchiveComesFirstUncompressed() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("early/kernel/x86/microcode"));
        Files.writeString(tree.resolve("GenuineIntel.bin"), "microcode");
        Path list = dir.resolve("list");
        Files.writeString(list, "kernel\nkernel/x86\nkernel/x86/microcode\nkernel/x86/microcode/GenuineIntel.bin\n");
        Path early = dir.resolve("early.cpio");
        Files.write(early, Tools.ok(dir.resolve("early"), list, "cpio", "-o", "-H", "newc", "--quiet")
                .getBytes(StandardCharsets.ISO_8859_1));

        Path out = dir.resolve("initrd.img");
        InitrdWriter.Result r = InitrdWriter.write(plan, Compression.zstd(), List.of(early), out);
        assertEquals(r.prependedBytes(), Files.size(early));
        byte[] head = Arrays.copyOf(Files.readAllBytes(out), (int) Files.size(early));
        assertEquals(head, Files.readAllBytes(early));

        InitrdReader.Contents read = InitrdReader.read(out);
        assertEquals(read.parts().size(), 2);
        assertEquals(read.parts().get(0).compression(), Compression.Format.NONE);
        assertEquals(read.parts().get(1).compression(), Compression.Format.ZSTD);
        Map<String, InitrdEntry> byPath = read.byPath();
        assertEquals(byPath.get("/kernel/x86/microcode/GenuineIntel.bin").text(), "microcode");
        assertEquals(byPath.get("/kernel/x86/microcode/GenuineIntel.bin").archive(), 0);
        assertEquals(byPath.get("/init").archive(), 1);
    }

    @Test
    public void prependingACompressedFileIsRefused() throws Exception {
        Path notCpio = dir.resolve("ucode.img.gz");
        Files.write(notCpio, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> InitrdWriter.write(plan, Compression.zstd(), List.of(notCpio), dir.resolve("x.img")));
        assertTrue(e.getMessage().contains(notCpio.toString()) && e.getMessage().contains("070701"), e.getMessage());
    }

    @Test
    public void failedBuildLeavesNoFileBehind() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out")).resolve("initrd.img");
        Path gone = dir.resolve("gone.so");
        Files.writeString(gone, "x");
        InitrdPlan broken = plan.toBuilder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/gone.so"), gone, 0644, "test")).build();
        Files.delete(gone);
        expectThrows(InitrdBuildException.class, () -> InitrdWriter.write(broken, Compression.zstd(), List.of(), out));
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertEquals(left.toList(), List.of());
        }
    }

    @Test
    public void failedBuildKeepsThePreviousOutput() throws Exception {
        Path out = dir.resolve("initrd.img");
        InitrdWriter.write(plan, Compression.NONE, List.of(), out);
        byte[] before = Files.readAllBytes(out);
        Path gone = dir.resolve("gone.so");
        InitrdPlan broken = plan.toBuilder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/gone.so"), gone, 0644, "test")).build();
        expectThrows(InitrdBuildException.class, () -> InitrdWriter.write(broken, Compression.NONE, List.of(), out));
        assertEquals(Files.readAllBytes(out), before);
    }
}
