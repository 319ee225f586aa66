package org.initrdharness.initrd.kmod;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.util.List;

import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** The default stage-1 module names resolve in Debian's kernels of both arches, without warnings. */
public class Stage1ModulesTest {
    @DataProvider
    public Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    @Test(dataProvider = "arches")
    public void defaultsResolveToModulesWithTheirDependencies(Arch arch) throws IOException {
        KernelModules modules = KernelModules.open(DebianKernelPackage.get(arch).moduleDir());
        ModuleClosure c = modules.closure(Stage1Modules.defaults());
        System.out.printf("%s: %d modules %s; built in: %s%n", arch, c.modules().size(), c.names(), c.builtins());
        assertEquals(c.warnings(), List.of());
        for (String name : Stage1Modules.defaults()) {
            assertTrue(c.find(name).isPresent() || modules.isBuiltin(name), arch + ": " + name);
        }
        for (String needed : List.of("dm_mod", "jbd2", "crc32c_generic", "ecb")) {
            assertTrue(c.find(needed).isPresent(), arch + ": " + needed + " in " + c.names());
        }
        // the ciphers LUKS2's default aes-xts-plain64 and its sha256 need are in the kernel itself
        for (String builtin : List.of("aes_generic", "sha256_generic", "cbc")) {
            assertTrue(modules.isBuiltin(builtin), arch + ": " + builtin + " built in");
        }
    }
}
