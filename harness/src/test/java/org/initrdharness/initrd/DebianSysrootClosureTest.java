package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.kmod.DebianKernelPackage;
import org.initrdharness.initrd.kmod.DebianPackage;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/**
 * A closure inside a sysroot of real Debian packages: arm64 .debs fetched with apt-get download
 * and unpacked, with an x86_64 decoy library from the amd64 package earlier in the search path.
 * (The x86_64 guest sysroot's closure is checked in vm-images, which builds that sysroot.)
 */
public class DebianSysrootClosureTest {

    @Test
    public void aarch64BashInAnUnpackedSysrootSkipsHostLibraries() throws Exception {
        TreeBuilder t = new TreeBuilder();
        for (String pkg : List.of("bash", "libc6", "libtinfo6")) {
            Path unpacked = DebianPackage.get(pkg, Arch.AARCH64).root();
            DebianKernelPackage.run(List.of("cp", "-a", unpacked + "/.", t.root.toString()), null);
        }
        // An x86_64 libtinfo earlier in the search must be passed over for the aarch64 one.
        Path decoy = DebianPackage.get("libtinfo6", Arch.X86_64).file("/lib/x86_64-linux-gnu/libtinfo.so.6").toRealPath();
        assertEquals(ElfFile.read(decoy).machine(), ElfFile.EM_X86_64, decoy.toString());
        Files.createDirectories(t.host("/opt/x86"));
        Files.copy(decoy, t.host("/opt/x86/libtinfo.so.6"));
        t.file("/etc/ld.so.conf", "/opt/x86\n");
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/bin/bash", "test"); // Debian 12's .deb still ships /bin; merging happens at install
        InitrdPlan plan = c.build();
        List<String> files = new ArrayList<>();
        for (PlanEntry e : plan.entries()) {
            if (e instanceof PlanEntry.RegularFile f) {
                files.add(f.path().value());
                assertTrue(f.source().startsWith(t.root.toRealPath()), f.source().toString());
                ElfFile elf = ElfFile.read(f.source());
                assertEquals(elf.machine(), ElfFile.EM_AARCH64, f.toString());
            }
        }
        assertTrue(files.stream().anyMatch(f -> f.endsWith("/ld-linux-aarch64.so.1")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("aarch64-linux-gnu/libc.so.6")), files.toString());
        assertTrue(plan.get(InitrdPath.of("/lib/aarch64-linux-gnu/libtinfo.so.6")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(PlanPaths.follow(plan, "/lib/aarch64-linux-gnu/libtinfo.so.6").orElseThrow() instanceof PlanEntry.RegularFile);
        assertFalse(files.contains("/opt/x86/libtinfo.so.6"), files.toString());
    }
}
