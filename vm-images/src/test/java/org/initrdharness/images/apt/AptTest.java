package org.initrdharness.images.apt;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.initrdharness.images.DebFixtures;
import org.initrdharness.images.ImagesException;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/** apt as resolver for a guest arch, and what it says when asked for the impossible. */
public class AptTest {

    @Test
    public void resolvesAForeignArchClosureWithoutTheHostsInstalledSet() throws IOException {
        Apt apt = new Apt(DebFixtures.scratch("apt"));
        List<DebPackage> closure = apt.resolve(Arch.AARCH64, List.of("kmod"));
        assertTrue(closure.stream().anyMatch(p -> p.name().equals("kmod") && p.arch().equals("arm64")), closure.toString());
        // libc6 is installed on the host, but not on the empty guest: apt must list it.
        assertTrue(closure.stream().anyMatch(p -> p.name().equals("libc6") && p.arch().equals("arm64")), closure.toString());
        assertTrue(closure.stream().allMatch(p -> p.arch().equals("arm64") || p.arch().equals("all")), closure.toString());
    }

    @Test
    public void unknownPackageIsNamedWithTheArch() throws IOException {
        Apt apt = new Apt(DebFixtures.scratch("apt-unknown"));
        ImagesException e = expectThrows(ImagesException.class,
                () -> apt.resolve(Arch.X86_64, List.of("kmod", "no-such-package-ih")));
        assertTrue(e.getMessage().contains("no-such-package-ih") && e.getMessage().contains("x86_64"), e.getMessage());
    }

    @Test
    public void unsupportedArchIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> Arch.parse("riscv64"));
        assertTrue(e.getMessage().contains("riscv64") && e.getMessage().contains("aarch64"), e.getMessage());
    }

    @Test
    public void packageFileNamesEscapeTheEpoch() {
        DebPackage p = new DebPackage("busybox-static", "1:1.35.0-4+deb12u1+b1", "arm64");
        assertEquals(p.fileName(), "busybox-static_1%3a1.35.0-4+deb12u1+b1_arm64.deb");
        assertEquals(p.aptSpec(), "busybox-static:arm64=1:1.35.0-4+deb12u1+b1");
    }

    @Test
    public void listsStampChangesWhenTheListsOrSourcesChange() throws IOException {
        Path dir = DebFixtures.scratch("apt-stamp");
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Path etc = Files.createDirectories(dir.resolve("etc/apt/sources.list.d"));
        Path packages = lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages");
        Files.writeString(packages, "Package: a\n");
        Files.setLastModifiedTime(packages, FileTime.fromMillis(1_700_000_000_000L));
        Files.writeString(etc.resolve("debian.sources"), "Types: deb\n");
        String first = Apt.listsStamp(lists, dir.resolve("etc/apt"));
        assertEquals(Apt.listsStamp(lists, dir.resolve("etc/apt")), first, "nothing changed");

        Files.writeString(packages, "Package: b\n"); // same size, newer
        Files.setLastModifiedTime(packages, FileTime.fromMillis(1_700_000_001_000L));
        String touched = Apt.listsStamp(lists, dir.resolve("etc/apt"));
        assertNotEquals(touched, first, "a list was updated");

        Files.writeString(packages, "Package: bb\n"); // same time, longer
        Files.setLastModifiedTime(packages, FileTime.fromMillis(1_700_000_001_000L));
        String grown = Apt.listsStamp(lists, dir.resolve("etc/apt"));
        assertNotEquals(grown, touched, "a list changed size");

        Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_main_binary-arm64_Packages"), "");
        String added = Apt.listsStamp(lists, dir.resolve("etc/apt"));
        assertNotEquals(added, grown, "a list was added");

        Files.writeString(dir.resolve("etc/apt/sources.list"), "deb http://deb.debian.org/debian bookworm main\n");
        String sources = Apt.listsStamp(lists, dir.resolve("etc/apt"));
        assertNotEquals(sources, added, "sources.list appeared");

        Files.writeString(etc.resolve("backports.sources"), "Types: deb\n");
        assertNotEquals(Apt.listsStamp(lists, dir.resolve("etc/apt")), sources, "a sources.list.d file was added");
        assertEquals(Apt.listsStamp(), Apt.listsStamp(), "the host's lists, unchanged between calls");
    }
}
