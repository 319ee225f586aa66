package org.initrdharness.images.apt;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
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
    public void listsStampIsStableBetweenCalls() throws IOException {
        assertEquals(Apt.listsStamp(), Apt.listsStamp());
    }
}
