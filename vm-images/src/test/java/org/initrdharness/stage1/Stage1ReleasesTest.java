package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The same recipe composed from each release's sysroot (systemd 252 and 257): what one release
 * needs and the other does not is decided from the sysroot, and every unit finds what it runs.
 */
public class Stage1ReleasesTest {
    private static final Stage1Options EVERYTHING = Stage1Options.builder()
            .network(Stage1Options.Network.dhcp()).build();

    @DataProvider(name = "releases")
    public static Object[][] releases() {
        List<Object[]> rows = new ArrayList<>();
        for (Release r : Release.values()) for (Arch a : Arch.values()) rows.add(new Object[] {r, a});
        return rows.toArray(Object[][]::new);
    }

    private static GuestImages images(Release r, Arch a) {
        return VmImages.ensure(a, r, CacheDirectory.root(), Progress.silent());
    }

    @Test(dataProvider = "releases")
    public void theExecutorAndDlopenedLibrariesComeWhereTheSysrootsSystemdNeedsThem(Release r, Arch a) throws IOException {
        GuestImages g = images(r, a);
        Stage1Image image = Stage1Assembler.build(a, EVERYTHING, g.sysroot(), g.modules());
        int systemd = Integer.parseInt(g.systemdVersion());
        boolean executor = image.plan().contains(InitrdPath.of("/usr/lib/systemd/systemd-executor"));
        assertEquals(executor, systemd >= 255, "systemd-executor in the " + r + " stage 1 (systemd " + systemd + ")");
        PlanEntry kmod = entryNamed(image, "libkmod.so.2");
        PlanEntry cryptsetup = entryNamed(image, "libcryptsetup.so.12");
        if (systemd >= 256) {
            assertTrue(kmod.reason().contains("dlopen feature kmod"), kmod.reason());
            assertTrue(cryptsetup.reason().contains("dlopen feature cryptsetup") || cryptsetup.reason().contains("DT_NEEDED"),
                    cryptsetup.reason());
        } else {
            assertFalse(kmod.reason().contains("dlopen"), "252 links libkmod: " + kmod.reason());
        }
        assertEquals(image.componentOf(cryptsetup.path()), Component.CRYPTSETUP, cryptsetup.reason());
    }

    @Test(dataProvider = "releases")
    public void everyUnitFindsTheProgramsItRuns(Release r, Arch a) throws IOException {
        GuestImages g = images(r, a);
        Stage1Image image = Stage1Assembler.build(a, EVERYTHING, g.sysroot(), g.modules());
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (PlanEntry e : image.plan().entries()) {
            String p = e.path().value();
            if (!p.startsWith("/usr/lib/systemd/system/") || !p.endsWith(".service")) continue;
            if (!(e instanceof PlanEntry.RegularFile f)) continue;
            String text = Files.readString(f.source());
            for (UnitExecutables.Program prog : UnitExecutables.of(text)) {
                checked++;
                boolean there = prog.absolute() ? image.plan().contains(InitrdPath.of(throughTopLinks(image, prog.name())))
                        : List.of("/usr/bin/", "/usr/sbin/").stream().anyMatch(d -> image.plan().contains(InitrdPath.of(d + prog.name())));
                if (!there) missing.add(e.path().fileName() + ": " + prog.line());
            }
        }
        assertTrue(checked > 10, "only " + checked + " programs checked");
        assertTrue(missing.isEmpty(), r + " " + a + ": units run programs the stage 1 lacks: " + missing);
    }

    @Test(dataProvider = "releases")
    public void theDefaultStage1StaysUnder12MB(Release r, Arch a) throws IOException {
        GuestImages g = images(r, a);
        Stage1Image image = Stage1Assembler.build(a, Stage1Options.defaults(), g.sysroot(), g.modules());
        Path out = Files.createTempFile("stage1-" + r + "-" + a, ".img");
        try {
            InitrdWriter.write(image.plan(), Compression.parse("zstd"), List.of(), out);
            long size = Files.size(out);
            System.out.printf("stage 1 %s %s (systemd %s, kernel %s): %d entries, %.2f MB zstd%n", r, a,
                    g.systemdVersion(), g.kernelVersion(), image.plan().size(), size / 1e6);
            assertTrue(size <= 12_000_000, r + " " + a + " stage 1 is " + size + " bytes");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** "/lib/systemd/x" as the initrd resolves it when /lib is a link to usr/lib (merged /usr). */
    private static String throughTopLinks(Stage1Image image, String path) {
        int slash = path.indexOf('/', 1);
        if (slash < 0) return path;
        String top = path.substring(0, slash);
        return image.plan().get(InitrdPath.of(top))
                .filter(e -> e instanceof PlanEntry.Symlink)
                .map(e -> "/" + ((PlanEntry.Symlink) e).target() + path.substring(slash))
                .orElse(path);
    }

    private static PlanEntry entryNamed(Stage1Image image, String prefix) {
        return image.plan().entries().stream().filter(e -> e.path().fileName().startsWith(prefix)
                && !(e instanceof PlanEntry.Symlink)).findFirst()
                .orElseThrow(() -> new AssertionError(prefix + " not in the stage 1"));
    }
}
