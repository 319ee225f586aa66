package org.initrdharness.initrd;

import static org.testng.Assert.assertTrue;

import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Progress;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** systemd's closure inside each guest sysroot: systemd's private libraries found, nothing missing. */
public class GuestSysrootClosureTest {

    @DataProvider(name = "arches")
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    @Test(dataProvider = "arches")
    public void systemdInTheGuestSysroot(Arch arch) throws Exception {
        GuestImages g = VmImages.ensure(arch, CacheDirectory.root(), Progress.silent());
        Closure c = new Closure(new Sysroot(g.sysroot()), InitrdPlan.builder());
        long t0 = System.nanoTime();
        c.add("/usr/lib/systemd/systemd", "test").add("/usr/bin/udevadm", "test").add("/usr/lib/systemd/system", "test");
        InitrdPlan plan = c.build();
        System.out.printf("%s guest sysroot closure: %d entries in %d ms%n", arch, plan.size(), (System.nanoTime() - t0) / 1_000_000);
        String triplet = arch.triplet();
        PlanEntry shared = plan.entries().stream()
                .filter(e -> e.path().value().equals("/usr/lib/" + triplet + "/systemd/libsystemd-shared-252.so"))
                .findFirst().orElseThrow(() -> new AssertionError("no libsystemd-shared-252.so of " + triplet));
        assertTrue(shared instanceof PlanEntry.RegularFile, shared.toString());
        assertTrue(ElfFile.read(((PlanEntry.RegularFile) shared).source()).machine() == arch.elfMachine(), shared.toString());
        assertTrue(c.warnings().stream().noneMatch(w -> w.startsWith("missing")), c.warnings().toString());
    }
}
