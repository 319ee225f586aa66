package org.initrdharness.cli.bench;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.initrdharness.cli.Main;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.Tools;
import org.testng.annotations.Test;

public class DracutContentsTest {
    /**
     * Writes {@code names} (relative to {@code root}) as a newc archive with GNU cpio, the way
     * dracut calls it (owner root, reproducible), appending to {@code archive} if it exists.
     */
    private static void gnuCpio(Path root, List<String> names, Path archive, String... more) throws Exception {
        Tools.require("cpio", "cpio");
        Path list = Files.createTempFile("cpio", ".names");
        Files.writeString(list, String.join("\n", names) + "\n");
        List<String> cmd = new ArrayList<>(List.of("cpio", "-o", "-H", "newc", "-R", "0:0", "--reproducible", "--quiet",
                "-F", archive.toString()));
        if (Files.exists(archive)) cmd.add("-A");
        cmd.addAll(List.of(more));
        Tools.ok(root, list, cmd.toArray(String[]::new));
        Files.delete(list);
    }

    /** Every path under {@code root}, sorted, relative, as {@code find . | sort} lists them for dracut. */
    private static List<String> tree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root)).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static Path write(Path file, String text, String mode) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static Path zstd(Path cpio, Path out) throws Exception {
        Tools.require("zstd", "zstd");
        Tools.ok(cpio.getParent(), null, "zstd", "-q", "-3", cpio.toString(), "-o", out.toString());
        return out;
    }

    /** An image made by GNU cpio like dracut's (host files, its own files, a module) comes back as the same entries. */
    @Test
    public void imageTurnedIntoContentsListRebuildsTheSameEntries() throws Exception {
        Path dir = Files.createTempDirectory("dracut-contents");
        Path moduleDir = Files.createDirectories(dir.resolve("kernel/lib/modules/9.9.9-test"));
        Path ko = Files.createDirectories(moduleDir.resolve("kernel/fs")).resolve("fake.ko");
        Files.write(ko, new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
        Files.setPosixFilePermissions(ko, PosixFilePermissions.fromString("rw-r--r--"));

        Path root = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(root.resolve("usr/bin"));
        Files.copy(Path.of("/usr/bin/bash"), root.resolve("usr/bin/bash"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        write(root.resolve("etc/cmdline.d/00-x.conf"), "rd.x=1\n", "rw-r--r--");
        write(root.resolve("usr/bin/bash-wrapper"), "#!/bin/sh\n", "rwxr-xr-x");
        Path koInImage = Files.createDirectories(root.resolve("usr/lib/modules/9.9.9-test/kernel/fs")).resolve("fake.ko");
        Files.copy(ko, koInImage, StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(root.resolve("sysroot"));
        Files.createDirectories(root.resolve("var/tmp"));
        for (String d : tree(root)) {
            Path p = root.resolve(d);
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Tools.ok(root, null, "chmod", "1777", "var/tmp");
        Path cpio = dir.resolve("dracut.cpio");
        gnuCpio(root, tree(root), cpio);
        // A device node without mknod: /dev/null through a link to /dev, /dev itself dereferenced.
        Path devRoot = Files.createDirectories(dir.resolve("devtree"));
        Files.createSymbolicLink(devRoot.resolve("dev"), Path.of("/dev"));
        gnuCpio(devRoot, List.of("dev", "dev/null"), cpio, "-L");
        Path image = zstd(cpio, dir.resolve("dracut.img"));

        InitrdReader.Contents read = InitrdReader.read(image);
        InitrdEntry devNull = read.byPath().get("/dev/null");
        assertTrue(devNull != null && devNull.isDevice() && devNull.typeLetter() == 'c', String.valueOf(devNull));
        assertEquals(List.of(devNull.rdevMajor(), devNull.rdevMinor()), List.of(1, 3));
        assertEquals(read.byPath().get("/var/tmp").mode() & 07777, 01777);
        assertEquals(read.byPath().get("/bin").linkTarget(), "usr/bin");
        DracutContents c = DracutContents.from(read, "9.9.9-test", moduleDir, dir.resolve("work"));
        assertEquals(c.copied(), 2, "bash from the host, fake.ko from the module tree");
        assertEquals(c.generated(), 2);
        assertEquals(c.links(), 1);
        assertEquals(Files.getAttribute(c.sysroot().resolve("usr/bin/bash"), "unix:ino"),
                Files.getAttribute(Path.of("/usr/bin/bash"), "unix:ino"), "a hard link, not a copy");

        Path ours = dir.resolve("ours.img");
        int exit = Main.commandLine().execute("build-initrd", "--contents", c.contents().toString(), "--sysroot",
                c.sysroot().toString(), "--allow-missing", "--output", ours.toString());
        assertEquals(exit, 0);
        InitrdDiff diff = InitrdDiff.of(read, InitrdReader.read(ours));
        // bash's libraries are not in the sysroot (this image left them out): warnings, not entries.
        assertTrue(diff.isEmpty(), "only dracut's: " + diff.removed() + ", only ours: " + diff.added()
                + ", changed: " + diff.changed());
    }

    @Test
    public void earlyMicrocodeArchiveIsLeftToPrepend() throws Exception {
        Path dir = Files.createTempDirectory("dracut-early");
        Path earlyRoot = Files.createDirectories(dir.resolve("early-tree"));
        write(earlyRoot.resolve("kernel/x86/microcode/GenuineIntel.bin"), "ucode", "rw-r--r--");
        Path early = dir.resolve("early.cpio");
        gnuCpio(earlyRoot, tree(earlyRoot), early);
        Path mainRoot = Files.createDirectories(dir.resolve("main-tree"));
        write(mainRoot.resolve("init"), "#!/bin/sh\n", "rwxr-xr-x");
        Path main = dir.resolve("main.cpio");
        gnuCpio(mainRoot, tree(mainRoot), main);
        Path image = dir.resolve("dracut.img");
        // dracut's layout: the plain early archive, then the compressed main one.
        Files.write(image, Files.readAllBytes(early));
        Files.write(image, Files.readAllBytes(zstd(main, dir.resolve("main.cpio.zst"))), StandardOpenOption.APPEND);

        InitrdReader.Contents read = InitrdReader.read(image);
        assertEquals(DracutContents.mainArchive(read), 1);
        DracutContents c = DracutContents.from(read, "9.9.9-test", dir, dir.resolve("work"));
        assertEquals(c.generated(), 1, "only /init; the microcode stays in the early archive");
        Path extracted = dir.resolve("extracted.cpio");
        assertTrue(DracutContents.extractEarlyArchives(read, image, extracted));
        assertEquals(Files.readAllBytes(extracted), Files.readAllBytes(early));
    }
}
