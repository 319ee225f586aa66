package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class CpioWriterTest {
    private Path dir;

    @BeforeMethod
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("cpio-writer");
    }

    @AfterMethod(alwaysRun = true)
    public void tearDown() throws Exception {
        Tools.ok(Path.of("/"), null, "rm", "-rf", dir.toString());
    }

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve("src").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    private static byte[] archive(InitrdPlan plan, long mtime) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CpioWriter(mtime).write(plan, out);
        return out.toByteArray();
    }

    private InitrdPlan samplePlan() throws IOException {
        Path bash = file("bash", "#!/bin/sh\necho hello\n");
        Path conf = file("conf", "x".repeat(10_001));
        return InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/bash"), bash, 0755, "test"))
                .add(new PlanEntry.RegularFile(InitrdPath.of("/etc/big.conf"), conf, 0644, "test"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/bin"), "usr/bin", "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/etc/initrd-release"), "NAME=test\n", 0644, "test"))
                .add(new PlanEntry.Directory(InitrdPath.of("/run"), 0755, "test"))
                .add(new PlanEntry.Directory(InitrdPath.of("/tmp"), 01777, "test"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "test"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/vda"), 'b', 254, 0, 0660, "test"))
                .build();
    }

    @Test
    public void gnuCpioListsEveryEntryWithTypeOwnerAndTarget() throws Exception {
        Path img = dir.resolve("a.cpio");
        Files.write(img, archive(samplePlan(), 1));
        String listing = Tools.ok(dir, img, "cpio", "-itv", "--quiet");
        List<String> lines = Tools.lines(listing);
        assertEquals(lines.size(), 12, listing);
        assertTrue(listing.contains("lrwxrwxrwx   1 root     root            7 Jan  1  1970 bin -> usr/bin"), listing);
        assertTrue(listing.matches("(?s).*crw-------   1 root     root       5,   1 Jan  1  1970 dev/console.*"), listing);
        assertTrue(listing.matches("(?s).*brw-rw----   1 root     root     254,   0 Jan  1  1970 dev/vda.*"), listing);
        assertTrue(listing.matches("(?s).*drwxrwxrwt   2 root     root            0 Jan  1  1970 tmp.*"), listing);
        assertTrue(listing.matches("(?s).*-rwxr-xr-x   1 root     root           21 Jan  1  1970 usr/bin/bash.*"), listing);
        // Parents come before children.
        List<String> names = lines.stream().map(l -> l.trim())
                .map(l -> l.replaceAll(".* 1970 ", "")).toList();
        int usr = names.indexOf("usr");
        int usrBin = names.indexOf("usr/bin");
        int bash = names.indexOf("usr/bin/bash");
        assertTrue(usr >= 0 && usr < usrBin && usrBin < bash, listing);
    }

    @Test
    public void gnuCpioExtractsTheSameBytes() throws Exception {
        Path img = dir.resolve("a.cpio");
        Files.write(img, archive(samplePlan(), 1));
        Path out = Files.createDirectories(dir.resolve("out"));
        Tools.ok(out, img, "cpio", "-id", "--quiet", "--no-absolute-filenames");
        assertEquals(Files.readString(out.resolve("usr/bin/bash")), "#!/bin/sh\necho hello\n");
        assertEquals(Files.readString(out.resolve("etc/big.conf")), "x".repeat(10_001));
        assertEquals(Files.readString(out.resolve("etc/initrd-release")), "NAME=test\n");
        assertEquals(Files.readSymbolicLink(out.resolve("bin")).toString(), "usr/bin");
        assertTrue(Files.isExecutable(out.resolve("usr/bin/bash")));
    }

    @Test
    public void ownReaderReadsWhatGnuCpioWrites() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/etc"));
        Files.writeString(tree.resolve("hosts"), "127.0.0.1 localhost\n");
        Files.createSymbolicLink(dir.resolve("tree/link"), Path.of("etc/hosts"));
        Path list = dir.resolve("list");
        Files.writeString(list, ".\netc\netc/hosts\nlink\n");
        Path img = dir.resolve("gnu.cpio");
        Files.write(img, Tools.ok(dir.resolve("tree"), list, "cpio", "-o", "-H", "newc", "--quiet")
                .getBytes(StandardCharsets.ISO_8859_1));
        Map<String, InitrdEntry> got = InitrdReader.read(img).byPath();
        assertEquals(got.keySet(), java.util.Set.of("/", "/etc", "/etc/hosts", "/link"));
        assertEquals(got.get("/etc/hosts").text(), "127.0.0.1 localhost\n");
        assertEquals(got.get("/link").linkTarget(), "etc/hosts");
    }

    @Test
    public void ownReaderGivesBackTypesModesDevicesAndContent() throws Exception {
        byte[] bytes = archive(samplePlan(), 42);
        InitrdReader.Contents c = InitrdReader.read(new ByteArrayInputStream(bytes), "sample");
        assertEquals(c.parts().size(), 1);
        assertEquals(c.parts().get(0).compression(), Compression.Format.NONE);
        Map<String, InitrdEntry> e = c.byPath();
        assertEquals(e.get("/usr/bin/bash").modeString(), "-rwxr-xr-x");
        assertEquals(e.get("/usr/bin/bash").text(), "#!/bin/sh\necho hello\n");
        assertEquals(e.get("/usr/bin/bash").mtime(), 42);
        assertEquals(e.get("/tmp").modeString(), "drwxrwxrwt");
        assertEquals(e.get("/bin").linkTarget(), "usr/bin");
        InitrdEntry console = e.get("/dev/console");
        assertEquals(console.modeString(), "crw-------");
        assertEquals(console.rdevMajor(), 5);
        assertEquals(console.rdevMinor(), 1);
        assertEquals(e.get("/dev/vda").typeLetter(), 'b');
        for (InitrdEntry x : c.entries()) {
            assertEquals(x.uid(), 0);
            assertEquals(x.gid(), 0);
        }
        // Inode numbers are distinct and counted up in archive order.
        List<Long> inodes = c.entries().stream().map(InitrdEntry::inode).toList();
        List<Long> sorted = new ArrayList<>(inodes);
        Collections.sort(sorted);
        assertEquals(inodes, sorted);
        assertEquals(new java.util.HashSet<>(inodes).size(), inodes.size());
    }

    @Test
    public void sameInputGivesSameBytesWhateverOrderAndMtimes() throws Exception {
        List<PlanEntry> entries = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Path src = file("lib" + i + ".so", "library " + i + "\n".repeat(i));
            entries.add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/m" + (i % 3) + "/lib" + i + ".so"),
                    src, 0644, "test"));
            entries.add(new PlanEntry.Symlink(InitrdPath.of("/usr/lib/link" + i), "m" + (i % 3) + "/lib" + i + ".so",
                    "test"));
        }
        entries.add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/null"), 'c', 1, 3, 0666, "test"));
        entries.add(PlanEntry.Generated.text(InitrdPath.of("/init"), "#!/bin/sh\n", 0755, "test"));

        InitrdPlan.Builder first = InitrdPlan.builder();
        entries.forEach(first::add);
        byte[] a = archive(first.build(), 1);

        // Other mtimes on every source, and the entries added in another order.
        for (PlanEntry e : entries) {
            if (e instanceof PlanEntry.RegularFile f) {
                Files.setLastModifiedTime(f.source(), FileTime.fromMillis(1_700_000_000_000L + f.hashCode()));
            }
        }
        List<PlanEntry> shuffled = new ArrayList<>(entries);
        Collections.shuffle(shuffled, new Random(7));
        InitrdPlan.Builder second = InitrdPlan.builder();
        shuffled.forEach(second::add);
        byte[] b = archive(second.build(), 1);

        assertEquals(b, a);
        assertNotEquals(archive(second.build(), 2), a, "the mtime must reach the archive");
    }

    @Test
    public void sourceDateEpochSetsTheMtime() {
        assertEquals(CpioWriter.sourceDateEpoch(null), 1);
        assertEquals(CpioWriter.sourceDateEpoch(""), 1);
        assertEquals(CpioWriter.sourceDateEpoch("1700000000"), 1_700_000_000L);
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> CpioWriter.sourceDateEpoch("yesterday"));
        assertTrue(e.getMessage().contains("SOURCE_DATE_EPOCH"), e.getMessage());
    }

    @Test
    public void hardLinkedSourcesStayHardLinksWithOneCopyOfTheData() throws Exception {
        String content = "shared library bytes ".repeat(500);
        Path a = file("a", content);
        Path b = dir.resolve("src/b");
        Files.createLink(b, a);
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/a"), a, 0755, "test"))
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/b"), b, 0755, "test"))
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/sbin/a-again"), a, 0755, "test"))
                .build();
        byte[] bytes = archive(plan, 1);
        assertTrue(bytes.length < 2 * content.length(), "the data must be stored once, archive is " + bytes.length);

        Path img = dir.resolve("links.cpio");
        Files.write(img, bytes);
        Path out = Files.createDirectories(dir.resolve("out"));
        Tools.ok(out, img, "cpio", "-id", "--quiet");
        Object ino = Files.getAttribute(out.resolve("usr/bin/a"), "unix:ino");
        assertEquals(Files.getAttribute(out.resolve("usr/bin/b"), "unix:ino"), ino);
        assertEquals(Files.getAttribute(out.resolve("usr/sbin/a-again"), "unix:ino"), ino);
        assertEquals(Files.getAttribute(out.resolve("usr/bin/a"), "unix:nlink"), 3);
        assertEquals(Files.readString(out.resolve("usr/bin/b")), content);

        Map<String, InitrdEntry> read = InitrdReader.read(img).byPath();
        for (String p : List.of("/usr/bin/a", "/usr/bin/b", "/usr/sbin/a-again")) {
            assertEquals(read.get(p).nlink(), 3, p);
            assertEquals(read.get(p).text(), content, p);
        }
    }

    @Test
    public void sameFileWithDifferentModesIsNotLinked() throws Exception {
        Path a = file("a", "data");
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/x"), a, 0755, "test"))
                .add(new PlanEntry.RegularFile(InitrdPath.of("/y"), a, 0644, "test"))
                .build();
        Map<String, InitrdEntry> read = InitrdReader.read(new ByteArrayInputStream(archive(plan, 1)), "t").byPath();
        assertEquals(read.get("/x").nlink(), 1);
        assertEquals(read.get("/y").text(), "data");
        assertNotEquals(read.get("/x").inode(), read.get("/y").inode());
    }

    @Test
    public void vanishedSourceIsNamed() throws Exception {
        Path gone = file("gone", "soon");
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/gone.so"), gone, 0644, "test")).build();
        Files.delete(gone);
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> archive(plan, 1));
        assertTrue(e.getMessage().contains(gone.toString()) && e.getMessage().contains("/usr/lib/gone.so"),
                e.getMessage());
    }

    @Test
    public void fileOverFourGibIsRefused() throws Exception {
        Path big = dir.resolve("src/huge.img");
        Files.createDirectories(big.getParent());
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(CpioWriter.MAX_FILE_SIZE + 1); // sparse: no disk used
        }
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/huge.img"), big, 0644, "test")).build();
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> new CpioWriter(1).write(plan, java.io.OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains(big.toString()) && e.getMessage().contains("4 GiB"), e.getMessage());
    }

    @Test
    public void nameOverPathMaxIsRefused() {
        String longName = "/" + "d/".repeat(2100) + "file";
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> InitrdPath.of(longName));
        assertTrue(e.getMessage().contains("PATH_MAX"), e.getMessage());
    }

    @Test
    public void twoDifferentSourcesForOnePathAreRefused() throws Exception {
        Path a = file("a", "one");
        Path b = file("b", "two");
        InitrdPlan.Builder builder = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/etc/x"), a, 0644, "test"));
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> builder.add(new PlanEntry.RegularFile(InitrdPath.of("/etc/x"), b, 0644, "test")));
        assertTrue(e.getMessage().contains(a.toString()) && e.getMessage().contains(b.toString()), e.getMessage());
    }

    @Test
    public void directorySourceIsRefusedWithAHint() throws Exception {
        Path d = Files.createDirectories(dir.resolve("src/adir"));
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/adir"), d, 0644, "test")).build();
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> archive(plan, 1));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    public void largeFilesStreamAcrossTheBuffer() throws Exception {
        byte[] data = new byte[3 * (1 << 20) + 17];
        new Random(1).nextBytes(data);
        Path src = dir.resolve("src/blob");
        Files.createDirectories(src.getParent());
        Files.write(src, data);
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/blob"), src, 0644, "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/z"), "after", 0644, "test")).build();
        Map<String, InitrdEntry> read = InitrdReader.read(new ByteArrayInputStream(archive(plan, 1)), "t").byPath();
        assertEquals(read.get("/blob").data(), data);
        assertEquals(read.get("/z").text(), "after");
        assertFalse(read.containsKey("/TRAILER!!!"));
    }
}
