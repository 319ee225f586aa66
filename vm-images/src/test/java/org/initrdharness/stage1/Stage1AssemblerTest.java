package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Progress;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/**
 * Assembles from the x86_64 guest sysroot (Debian 12's systemd 252 and friends, unpacked by
 * vm-images) and that image's Debian kernel modules: what the project pins, never the host's /.
 */
public class Stage1AssemblerTest {
    private static final Stage1Options NO_PLYMOUTH = Stage1Options.builder().plymouth(false).build();

    private static GuestImages images() {
        return VmImages.ensure(Arch.X86_64, CacheDirectory.root(), Progress.silent());
    }

    private static Stage1Image build(Stage1Options o) throws IOException {
        GuestImages g = images();
        return Stage1Assembler.build(Arch.X86_64, o, g.sysroot(), g.modules());
    }

    @Test
    public void theGuestSysrootMakesACompleteStage1WithModulesAndIndexes() throws IOException {
        Stage1Image image = build(NO_PLYMOUTH);
        String v = image.kernelVersion();
        for (String p : List.of("/init", "/usr/lib/systemd/systemd", "/usr/bin/udevadm", "/usr/sbin/sulogin",
                "/usr/lib/systemd/system/initrd.target", "/etc/initrd-release",
                "/usr/lib/modules/" + v + "/modules.dep", "/usr/lib/modules/" + v + "/modules.dep.bin")) {
            assertTrue(image.plan().contains(InitrdPath.of(p)), p + " is missing");
        }
        assertTrue(image.plan().entries().stream().anyMatch(e -> e.path().value().endsWith("/virtio_blk.ko")));
        assertTrue(image.plan().entries().stream().anyMatch(e -> e.path().value().endsWith("/dm-crypt.ko")));
        assertTrue(image.plan().get(InitrdPath.of("/lib")).orElseThrow() instanceof PlanEntry.Symlink);
    }

    @Test
    public void librariesCountForTheComponentThatFirstNeededThem() throws IOException {
        Stage1Image image = build(NO_PLYMOUTH);
        InitrdPath shared = image.plan().entries().stream().map(PlanEntry::path)
                .filter(p -> p.fileName().startsWith("libsystemd-shared-")).findFirst().orElseThrow();
        assertEquals(image.componentOf(shared), Component.SYSTEMD);
        InitrdPath libcryptsetup = image.plan().entries().stream().map(PlanEntry::path)
                .filter(p -> p.fileName().startsWith("libcryptsetup.so")).findFirst().orElseThrow();
        assertEquals(image.componentOf(libcryptsetup), Component.CRYPTSETUP);

        // The size table must match what the written archive holds, component by component.
        Path out = Files.createTempFile("stage1", ".cpio");
        try {
            InitrdWriter.write(image.plan(), Compression.parse("none"), List.of(), out);
            Map<Component, Long> written = new EnumMap<>(Component.class);
            Map<Component, Integer> entries = new EnumMap<>(Component.class);
            for (InitrdEntry e : InitrdReader.read(out).entries()) {
                if (e.path().equals("/")) continue;
                Component c = image.componentOf(InitrdPath.of(e.path()));
                written.merge(c, e.size(), Long::sum);
                entries.merge(c, 1, Integer::sum);
            }
            for (Map.Entry<Component, Stage1Image.Size> s : image.sizes().entrySet()) {
                assertEquals(written.getOrDefault(s.getKey(), 0L).longValue(), s.getValue().bytes(),
                        s.getKey() + " bytes in the archive");
                assertEquals(entries.getOrDefault(s.getKey(), 0).intValue(), s.getValue().entries(),
                        s.getKey() + " entries in the archive");
            }
            assertTrue(written.get(Component.MODULES) > 100_000, "modules: " + written.get(Component.MODULES));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void theWrittenInitrdReadsBackWithTheGeneratedFiles() throws Exception {
        Stage1Image image = build(NO_PLYMOUTH.toBuilder().postDeviceCommands("echo hi").build());
        Path out = Files.createTempFile("stage1", ".img");
        try {
            InitrdWriter.write(image.plan(), Compression.parse("zstd:3"), List.of(), out);
            InitrdReader.Contents c = InitrdReader.read(out);
            assertTrue(c.entries().stream().anyMatch(e -> e.path().equals("/etc/systemd/system/stage1-post-device.service")));
            assertTrue(c.entries().stream().anyMatch(e -> e.path().equals("/dev/console") && e.isDevice()));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    public void aMissingPackageIsNamedWithWhatToDo() throws Exception {
        // The guest sysroot without plymouth: hard links, so the copy is nearly free.
        GuestImages g = images();
        Path copy = Files.createTempDirectory(CacheDirectory.root(), ".no-plymouth-");
        try {
            Path sysroot = copy.resolve("sysroot");
            org.initrdharness.images.Tools.check(List.of("cp", "-a", "--link", g.sysroot().toString(), sysroot.toString()),
                    "hard-link copy of the sysroot");
            Files.delete(sysroot.resolve("usr/sbin/plymouthd"));
            InitrdBuildException e = expectThrows(InitrdBuildException.class,
                    () -> Stage1Assembler.build(Arch.X86_64, Stage1Options.parse("{}", "test"), sysroot, g.modules()));
            assertTrue(e.getMessage().contains("plymouthd"), e.getMessage());
            assertTrue(e.getMessage().contains("\"plymouth\": false"), e.getMessage());
            // With plymouth in the sysroot, the same options build.
            assertTrue(Stage1Assembler.build(Arch.X86_64, Stage1Options.parse("{}", "test"), g.sysroot(), g.modules())
                    .plan().contains(InitrdPath.of("/usr/sbin/plymouthd")));
        } finally {
            org.initrdharness.images.Tools.check(List.of("rm", "-rf", copy.toString()), "remove the copy");
        }
    }
}
