package org.initrdharness.images.deb;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.initrdharness.images.DebFixtures;
import org.initrdharness.images.Tools;
import org.initrdharness.images.cache.ImageCache;
import org.testng.annotations.Test;

/** The .deb reader and the tree writer against real packages, compared with what dpkg-deb unpacks. */
public class DebArchiveTest {

    @Test
    public void controlFieldsOfARealPackage() throws IOException {
        Map<String, String> c = new DebArchive(DebFixtures.get("e2fsprogs")).control();
        assertEquals(c.get("Package"), "e2fsprogs");
        // apt-get download fetches the package of dpkg's native arch.
        assertEquals(c.get("Architecture"), hostDebianArch());
        assertTrue(c.get("Description").contains("\n"), "continuation lines kept: " + c.get("Description"));
    }

    @Test
    public void unpacksLikeDpkgDeb() throws IOException {
        for (String pkg : List.of("e2fsprogs", "base-files", "lsb-base", "perl")) {
            Path deb = DebFixtures.get(pkg);
            Path ours = DebFixtures.scratch("ours-" + pkg);
            Path dpkg = DebFixtures.scratch("dpkg-" + pkg);
            new TreeWriter(ours).unpack(new DebArchive(deb));
            Tools.check(List.of("dpkg-deb", "-x", deb.toString(), dpkg.toString()), "reference unpack");
            assertEquals(describe(ours), describe(dpkg), pkg + ": our tree differs from dpkg-deb -x");
        }
    }

    @Test
    public void keepsHardLinksAsHardLinks() throws IOException {
        // perl ships usr/bin/perlthanks as a hard link to usr/bin/perlbug.
        Path root = DebFixtures.scratch("hardlinks");
        new TreeWriter(root).unpack(new DebArchive(DebFixtures.get("perl")));
        Path bug = root.resolve("usr/bin/perlbug");
        Path thanks = root.resolve("usr/bin/perlthanks");
        assertEquals(nlink(thanks), 2L);
        assertEquals(Files.readAttributes(thanks, java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
                Files.readAttributes(bug, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    }

    @Test
    public void mergedUsrMovesBinSbinLibIntoUsr() throws IOException {
        Path root = DebFixtures.scratch("merged");
        TreeWriter w = new TreeWriter(root).mergedUsr();
        w.unpack(new DebArchive(DebFixtures.get("e2fsprogs")));
        assertTrue(Files.isSymbolicLink(root.resolve("sbin")));
        assertEquals(Files.readSymbolicLink(root.resolve("sbin")).toString(), "usr/sbin");
        assertTrue(Files.isRegularFile(root.resolve("usr/sbin/e2fsck"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(Files.readSymbolicLink(root.resolve("usr/sbin/fsck.ext4")).toString(), "e2fsck");
        assertTrue(Files.isExecutable(root.resolve("usr/sbin/e2fsck")));
    }

    @Test
    public void absoluteSymlinksAreFollowedInsideTheRootNeverOnTheHost() throws IOException {
        Path root = DebFixtures.scratch("escape");
        Path outside = DebFixtures.scratch("escape-outside");
        TreeWriter w = new TreeWriter(root);
        w.add(new DebArchive.Entry("var", DebArchive.Type.DIRECTORY, 0755, 0, null, 0), null);
        w.add(new DebArchive.Entry("var/run", DebArchive.Type.SYMLINK, 0777, 0, outside.toString(), 0), null);
        w.add(new DebArchive.Entry("var/run/pid", DebArchive.Type.FILE, 0644, 2, null, 0),
                new ByteArrayInputStream("42".getBytes()));
        assertFalse(Files.exists(outside.resolve("pid")), "wrote through a symlink to the host");
        assertEquals(Files.readString(root.resolve(outside.toString().substring(1)).resolve("pid")), "42");
    }

    @Test
    public void readsZstdAndGzipDataArchivesMadeByDpkgDeb() throws IOException {
        Path src = DebFixtures.scratch("synthetic-src");
        Files.createDirectories(src.resolve("DEBIAN"));
        Files.writeString(src.resolve("DEBIAN/control"), "Package: ih-synthetic\nVersion: 1\nArchitecture: all\n"
                + "Maintainer: t <t@example.org>\nDescription: test\n");
        Files.createDirectories(src.resolve("usr/share/ih"));
        Files.writeString(src.resolve("usr/share/ih/hello"), "hello\n");
        Files.createSymbolicLink(src.resolve("usr/share/ih/link"), Path.of("hello"));
        for (String z : List.of("zstd", "gzip", "none", "xz")) {
            Path deb = DebFixtures.scratch("synthetic-" + z).resolve("p.deb");
            Tools.check(List.of("dpkg-deb", "--root-owner-group", "-Z" + z, "--build", src.toString(), deb.toString()),
                    "dpkg-deb -Z" + z);
            Path out = DebFixtures.scratch("synthetic-out-" + z);
            new TreeWriter(out).unpack(new DebArchive(deb));
            assertEquals(Files.readString(out.resolve("usr/share/ih/hello")), "hello\n", z);
            assertEquals(Files.readSymbolicLink(out.resolve("usr/share/ih/link")).toString(), "hello", z);
            assertEquals(new DebArchive(deb).control().get("Package"), "ih-synthetic", z);
        }
    }

    @Test
    public void aTruncatedPackageIsReportedWithItsName() throws IOException {
        Path bad = DebFixtures.scratch("truncated").resolve("e2fsprogs_broken.deb");
        byte[] good = Files.readAllBytes(DebFixtures.get("e2fsprogs"));
        Files.write(bad, java.util.Arrays.copyOf(good, good.length / 2));
        try {
            new TreeWriter(DebFixtures.scratch("truncated-out")).unpack(new DebArchive(bad));
            throw new AssertionError("a truncated package was accepted");
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("e2fsprogs_broken.deb"), e.getMessage());
        }
    }

    /** Path -> type, permission bits, link target or sha256, for every entry of a tree. */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir");
                } else {
                    String mode = Integer.toOctalString(mode(p) & 0555);
                    out.put(rel, "file " + mode + " " + ImageCache.sha256(p));
                }
            }
        }
        return out;
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static long nlink(Path p) {
        try {
            return ((Number) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String hostDebianArch() throws IOException {
        return Tools.check(List.of("dpkg", "--print-architecture"), "dpkg").text().trim();
    }

}
