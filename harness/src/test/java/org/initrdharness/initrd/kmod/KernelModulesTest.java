package org.initrdharness.initrd.kmod;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.AfterClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Module closures and generated indexes of real Debian kernels (amd64 and arm64), checked
 * against the host's depmod and modprobe.
 */
public class KernelModulesTest {
    private final List<Path> temps = new ArrayList<>();

    @DataProvider
    public Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        for (Path t : temps) DebianKernelPackage.deleteTree(t);
    }

    @Test(dataProvider = "arches")
    public void closureLoadsWhatModprobeLoadsFromADepmodTree(Arch arch) throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(arch);
        long t0 = System.nanoTime();
        KernelModules modules = KernelModules.open(kernel.moduleDir());
        System.out.printf("%s: indexed %d modules in %d ms%n", arch, modules.moduleNames().size(),
                (System.nanoTime() - t0) / 1_000_000);
        Path reference = kernel.depmodReference();
        for (String name : List.of("virtio_blk", "virtio_pci", "virtio_mmio", "ext4", "dm_crypt", "xts")) {
            t0 = System.nanoTime();
            ModuleClosure closure = modules.closure(List.of(name));
            System.out.printf("%s: closure of %s in %d ms: %s%n", arch, name, (System.nanoTime() - t0) / 1_000_000,
                    closure.names());
            // Same modules; the order may differ where depmod's is one of several valid ones.
            assertEquals(sorted(closure.names()),
                    sorted(insmodNames(modprobe(reference, kernel.version(), "--show-depends", name))), arch + " " + name);
            assertDependenciesFirst(modules, closure.names());
        }
    }

    @Test(dataProvider = "arches")
    public void generatedIndexesAnswerModprobeLikeDepmodsOwn(Arch arch) throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(arch);
        KernelModules modules = KernelModules.open(kernel.moduleDir());
        ModuleClosure closure = modules.closure(Stage1Modules.defaults());
        String v = kernel.version();

        Path ours = tree(modules, closure, true);
        Path theirs = tree(modules, closure, false);
        DebianKernelPackage.run(List.of("depmod", "-b", theirs.toString(), v), null);

        for (String name : List.of("ext4", "dm_crypt", "virtio_pci", "xts")) {
            String answer = modprobe(ours, v, "--show-depends", name);
            assertEquals(sorted(relative(ours, answer)), sorted(relative(theirs, modprobe(theirs, v, "--show-depends", name))),
                    arch + " " + name);
            assertDependenciesFirst(modules, insmodNames(answer));
        }
        // udev loads drivers by modalias: a virtio block device, through our modules.alias.bin
        assertEquals(modprobe(ours, v, "-R", "virtio:d00000002v00001AF4").trim(), "virtio_blk");
        assertEquals(modprobe(ours, v, "-R", "crypto-crc32c"), modprobe(theirs, v, "-R", "crypto-crc32c"));
        // a built-in module, through our modules.builtin.bin
        assertEquals(modprobe(ours, v, "--show-depends", "cbc").trim(), "builtin cbc");

        Path ourDir = ours.resolve("lib/modules").resolve(v);
        Path theirDir = theirs.resolve("lib/modules").resolve(v);
        for (String text : List.of("modules.dep", "modules.alias", "modules.softdep", "modules.symbols",
                "modules.devname")) {
            assertEquals(depSorted(sortedLines(ourDir.resolve(text))), depSorted(sortedLines(theirDir.resolve(text))),
                    arch + " " + text);
        }
        for (String bin : List.of("modules.dep.bin", "modules.alias.bin", "modules.symbols.bin", "modules.builtin.bin",
                "modules.builtin.alias.bin")) {
            assertEquals(depSorted(KmodIndexDump.entries(Files.readAllBytes(ourDir.resolve(bin)))),
                    depSorted(KmodIndexDump.entries(Files.readAllBytes(theirDir.resolve(bin)))), arch + " " + bin);
        }
    }

    @Test
    public void unknownModuleFailsNamingItAndCloseNames() throws IOException {
        KernelModules modules = KernelModules.open(DebianKernelPackage.get(Arch.X86_64).moduleDir());
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> modules.closure(List.of("virtio_blk", "ext5")));
        assertTrue(e.getMessage().contains("'ext5'"), e.getMessage());
        assertTrue(e.getMessage().contains("ext4"), e.getMessage());
    }

    @Test
    public void builtinModulesAreReportedNotAdded() throws IOException {
        KernelModules amd64 = KernelModules.open(DebianKernelPackage.get(Arch.X86_64).moduleDir());
        ModuleClosure c = amd64.closure(List.of("cbc", "dm-crypt"));
        assertEquals(c.builtins(), List.of("cbc"));
        assertEquals(c.names(), List.of("dm_mod", "dm_crypt"));
        assertEquals(c.find("dm_mod").orElseThrow().reason().toString(), "dependency of dm_crypt");

        // on arm64 virtio and virtio_ring are built in: virtio_blk needs nothing else
        KernelModules arm64 = KernelModules.open(DebianKernelPackage.get(Arch.AARCH64).moduleDir());
        ModuleClosure b = arm64.closure(List.of("virtio", "virtio_blk"));
        assertEquals(b.names(), List.of("virtio_blk"));
        assertEquals(b.builtins(), List.of("virtio"));
        assertTrue(arm64.isBuiltin("virtio_ring"));
    }

    @Test
    public void softPreDependenciesAreIncludedThroughTheirAliases() throws IOException {
        KernelModules modules = KernelModules.open(DebianKernelPackage.get(Arch.X86_64).moduleDir());
        ModuleClosure c = modules.closure(List.of("ext4"));
        IncludedModule crc = c.find("crc32c_generic").orElseThrow();
        assertEquals(crc.reason().kind(), IncludedModule.Reason.Kind.SOFTDEP_PRE);
        assertEquals(crc.reason().by(), "ext4");
        assertTrue(c.names().indexOf("crc32c_generic") < c.names().indexOf("ext4"));
        assertEquals(modules.resolveAlias("crypto-crc32c"), List.of("crc32c_intel", "crc32c_generic"));
    }

    @Test
    public void aliasesResolveTheSameFromModulesFromTheCacheAndFromDepmodsModulesAlias() throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.AARCH64);
        Path cache = temp("alias-cache");
        String old = System.getProperty(AliasTable.CACHE_PROPERTY);
        System.setProperty(AliasTable.CACHE_PROPERTY, cache.toString());
        try {
            List<String> queries = List.of("crypto-crc32c", "virtio:d00000002v00001AF4", "fs-ext4",
                    "pci:v00001AF4d00001042sv00001AF4sd00001100bc01sc00i00", "of:Npl011T(null)Carm,primecell");
            List<List<String>> fromModules = new ArrayList<>();
            KernelModules first = KernelModules.open(kernel.moduleDir());
            for (String q : queries) fromModules.add(first.resolveAlias(q));
            try (var files = Files.list(cache)) {
                assertEquals(files.count(), 1L, "one cached alias table");
            }
            KernelModules second = KernelModules.open(kernel.moduleDir());
            KernelModules depmodded = KernelModules.open(kernel.depmodReference().resolve("lib/modules")
                    .resolve(kernel.version()));
            for (int i = 0; i < queries.size(); i++) {
                assertEquals(second.resolveAlias(queries.get(i)), fromModules.get(i), "cached: " + queries.get(i));
                assertEquals(depmodded.resolveAlias(queries.get(i)), fromModules.get(i), "depmod: " + queries.get(i));
            }
            assertEquals(fromModules.get(1), List.of("virtio_blk"));
            assertEquals(fromModules.get(2), List.of("ext4"));
            assertEquals(fromModules.get(3), List.of("virtio_pci"));
        } finally {
            if (old == null) System.clearProperty(AliasTable.CACHE_PROPERTY);
            else System.setProperty(AliasTable.CACHE_PROPERTY, old);
        }
    }

    @Test
    public void softPostDependenciesOnlyWhenAskedAndMissingOnesWarn() throws IOException {
        KernelModules modules = KernelModules.open(DebianKernelPackage.get(Arch.X86_64).moduleDir());
        assertEquals(modules.info("vfio").softdepsPost(), List.of("vfio_iommu_type1", "vfio_iommu_spapr_tce"));
        assertFalse(modules.closure(List.of("vfio")).find("vfio_iommu_type1").isPresent());

        ModuleClosure c = modules.closure(List.of("vfio"), true);
        IncludedModule type1 = c.find("vfio_iommu_type1").orElseThrow();
        assertEquals(type1.reason().toString(), "soft post-dependency of vfio");
        assertTrue(c.names().indexOf("vfio") < c.names().indexOf("vfio_iommu_type1"), c.names().toString());
        // the POWER-only one is in no amd64 kernel: a warning, not a failure
        assertTrue(c.warnings().stream().anyMatch(w -> w.contains("vfio_iommu_spapr_tce")), c.warnings().toString());
    }

    @Test
    public void firmwareIsAddedWhenFoundAndWarnedAboutWhenMissing() throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
        KernelModules probe = KernelModules.open(kernel.moduleDir());
        ModuleInfo r8169 = probe.info("r8169");
        assertTrue(r8169.firmware().size() > 1, r8169.firmware().toString());
        Path firmware = temp("firmware");
        String present = r8169.firmware().get(0);
        Files.createDirectories(firmware.resolve(present).getParent());
        Files.writeString(firmware.resolve(present), "blob");

        KernelModules modules = KernelModules.open(kernel.moduleDir(), firmware);
        ModuleClosure c = modules.closure(List.of("r8169"));
        assertEquals(c.firmware().size(), 1);
        assertEquals(c.firmware().get(0).name(), present);
        assertEquals(c.warnings().size(), r8169.firmware().size() - 1, c.warnings().toString());
        assertTrue(c.warnings().get(0).contains("r8169"), c.warnings().get(0));

        InitrdPlan.Builder plan = InitrdPlan.builder();
        modules.addTo(plan, c);
        assertTrue(plan.contains(InitrdPath.of("/lib/firmware/" + present)));
    }

    @Test
    public void addToPutsModulesAndGeneratedIndexesAtTheirOwnPaths() throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
        KernelModules modules = KernelModules.open(kernel.moduleDir());
        assertEquals(modules.defaultLayout(), ModuleLayout.lib(kernel.version()));
        ModuleClosure c = modules.closure(List.of("ext4"));
        InitrdPlan plan = planOf(modules, c, ModuleLayout.usrLib(kernel.version()));
        String dir = "/usr/lib/modules/" + kernel.version();
        PlanEntry ext4 = plan.get(InitrdPath.of(dir + "/kernel/fs/ext4/ext4.ko")).orElseThrow();
        assertTrue(ext4 instanceof PlanEntry.RegularFile, ext4.toString());
        assertEquals(ext4.reason(), "kernel module, named (ext4)");
        PlanEntry dep = plan.get(InitrdPath.of(dir + "/modules.dep.bin")).orElseThrow();
        assertTrue(dep instanceof PlanEntry.Generated, dep.toString());
        assertTrue(plan.contains(InitrdPath.of(dir + "/modules.builtin")));
        long moduleFiles = plan.entries().stream().filter(e -> e.path().value().endsWith(".ko")).count();
        assertEquals(moduleFiles, c.modules().size());
        // Same closure, same bytes.
        PlanEntry again = planOf(modules, modules.closure(List.of("ext4")), ModuleLayout.usrLib(kernel.version()))
                .get(InitrdPath.of(dir + "/modules.alias.bin")).orElseThrow();
        assertTrue(again.sameContentAs(plan.get(InitrdPath.of(dir + "/modules.alias.bin")).orElseThrow()));
    }

    @Test
    public void mergedUsrTreesAndPlansPutModulesUnderUsr() throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
        Path root = temp("merged");
        Path dir = root.resolve("usr/lib/modules").resolve(kernel.version());
        for (String rel : List.of("kernel/drivers/md/dm-crypt.ko", "kernel/drivers/md/dm-mod.ko", "modules.builtin")) {
            Files.createDirectories(dir.resolve(rel).getParent());
            Files.copy(kernel.moduleDir().resolve(rel), dir.resolve(rel));
        }
        Files.createDirectories(root.resolve("usr/lib/firmware"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));

        // opened through the /lib link, as a sysroot path from a package would name it
        KernelModules modules = KernelModules.open(root.resolve("lib/modules").resolve(kernel.version()));
        assertEquals(modules.defaultLayout(), ModuleLayout.usrLib(kernel.version()));
        assertEquals(modules.firmwareDir().orElseThrow(), root.resolve("lib/firmware"));
        ModuleClosure c = modules.closure(List.of("dm_crypt"));

        InitrdPlan.Builder plan = InitrdPlan.builder();
        plan.add(new PlanEntry.Symlink(InitrdPath.of("/lib"), "usr/lib", "merged /usr"));
        assertEquals(ModuleLayout.lib(kernel.version()).mergedUsr(plan), ModuleLayout.usrLib(kernel.version()));
        modules.addTo(plan, c);
        InitrdPlan built = plan.build();
        assertTrue(built.contains(InitrdPath.of("/usr/lib/modules/" + kernel.version() + "/kernel/drivers/md/dm-crypt.ko")));
    }

    @Test
    public void compressedModulesAreReadAndKeepTheirNames() throws IOException {
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
        Path root = temp("xz");
        Path dir = root.resolve("lib/modules").resolve(kernel.version());
        for (String rel : List.of("kernel/drivers/md/dm-crypt.ko", "kernel/drivers/md/dm-mod.ko")) {
            Path target = dir.resolve(rel + ".xz");
            Files.createDirectories(target.getParent());
            try (var out = new org.tukaani.xz.XZOutputStream(Files.newOutputStream(target),
                    new org.tukaani.xz.LZMA2Options(0), org.tukaani.xz.XZ.CHECK_CRC32)) {
                Files.copy(kernel.moduleDir().resolve(rel), out);
            }
        }
        KernelModules modules = KernelModules.open(dir);
        ModuleClosure c = modules.closure(List.of("dm_crypt"));
        assertEquals(c.names(), List.of("dm_mod", "dm_crypt"));
        String dep = new String(modules.indexFiles(c).get("modules.dep"), StandardCharsets.UTF_8);
        assertTrue(dep.contains("kernel/drivers/md/dm-crypt.ko.xz: kernel/drivers/md/dm-mod.ko.xz\n"), dep);
    }

    // --- helpers ---

    private InitrdPlan planOf(KernelModules modules, ModuleClosure c, ModuleLayout layout) {
        InitrdPlan.Builder b = InitrdPlan.builder();
        modules.addTo(b, c, layout);
        return b.build();
    }

    /** A tree holding only the closure's modules: with our index files, or ready for depmod. */
    private Path tree(KernelModules modules, ModuleClosure closure, boolean withOurIndexes) throws IOException {
        Path root = temp(withOurIndexes ? "ours" : "depmod");
        Path dir = root.resolve("lib/modules").resolve(modules.version());
        for (IncludedModule m : closure.modules()) {
            Path target = dir.resolve(m.info().relativePath());
            Files.createDirectories(target.getParent());
            Files.copy(m.info().file(), target);
        }
        Map<String, byte[]> index = modules.indexFiles(closure);
        for (String shipped : List.of("modules.builtin", "modules.builtin.modinfo")) {
            Files.copy(modules.moduleDir().resolve(shipped), dir.resolve(shipped));
        }
        if (withOurIndexes) {
            for (Map.Entry<String, byte[]> e : index.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
        } else {
            Files.write(dir.resolve("modules.order"), index.get("modules.order"));
        }
        return root;
    }

    private Path temp(String what) throws IOException {
        Path t = Files.createTempDirectory("kmod-test-" + what + "-");
        temps.add(t);
        return t;
    }

    private static String modprobe(Path root, String version, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("modprobe", "-d", root.toString(), "-S", version));
        cmd.addAll(Arrays.asList(args));
        return DebianKernelPackage.run(cmd, null);
    }

    /** Module names of the "insmod /path/x.ko" lines, in order. */
    private static List<String> insmodNames(String showDepends) {
        return showDepends.lines().filter(l -> l.startsWith("insmod "))
                .map(l -> KernelModules.moduleName(l.substring("insmod ".length()).trim().split(" ")[0]))
                .toList();
    }

    private static List<String> relative(Path root, String showDepends) {
        return showDepends.lines().map(l -> l.replace(root.toString(), "<root>").trim()).toList();
    }

    /** Every module comes after its dependencies and the modules its soft pre-dependencies name. */
    private static void assertDependenciesFirst(KernelModules modules, List<String> order) {
        for (int i = 0; i < order.size(); i++) {
            ModuleInfo m = modules.info(order.get(i));
            List<String> before = new ArrayList<>(m.depends());
            for (String pre : m.softdepsPre()) before.addAll(modules.resolveAlias(pre));
            for (String d : before) {
                int at = order.indexOf(d);
                assertTrue(at < i, d + " must load before " + m.name() + ": " + order);
            }
        }
    }

    private static List<String> sorted(List<String> l) {
        return l.stream().sorted().toList();
    }

    /** modules.dep lines (also as index values) with the dependency list sorted: depmod's order is one of many. */
    private static List<String> depSorted(List<String> lines) {
        return lines.stream().map(l -> {
            int colon = l.indexOf(".ko:");
            if (colon < 0) return l;
            String[] deps = l.substring(colon + 4).trim().split(" ");
            Arrays.sort(deps);
            return l.substring(0, colon + 4) + " " + String.join(" ", deps);
        }).sorted().toList();
    }

    private static List<String> sortedLines(Path p) throws IOException {
        return Files.readAllLines(p).stream().sorted().toList();
    }
}
