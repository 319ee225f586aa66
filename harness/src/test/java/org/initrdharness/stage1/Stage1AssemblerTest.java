package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.initrd.kmod.DebianKernelPackage;
import org.initrdharness.vm.Arch;
import org.testng.SkipException;
import org.testng.annotations.Test;

/** Assembles from this Debian 12 host's own systemd and a real Debian kernel package. */
public class Stage1AssemblerTest {
    private static final Stage1Options HOST = Stage1Options.parse("{\"plymouth\": false}", "test");

    private static Stage1Image build(Stage1Options o) throws Exception {
        if (Arch.host() != Arch.X86_64 || !Files.exists(Path.of("/usr/lib/systemd/systemd"))) {
            throw new SkipException("needs an x86_64 host with systemd installed");
        }
        return Stage1Assembler.build(Arch.X86_64, o, Path.of("/"), DebianKernelPackage.get(Arch.X86_64).moduleDir());
    }

    @Test
    public void theHostsSystemdMakesACompleteStage1WithModulesAndIndexes() throws Exception {
        Stage1Image image = build(HOST);
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
    public void librariesCountForTheComponentThatFirstNeededThem() throws Exception {
        Stage1Image image = build(HOST);
        InitrdPath shared = image.plan().entries().stream().map(PlanEntry::path)
                .filter(p -> p.fileName().startsWith("libsystemd-shared-")).findFirst().orElseThrow();
        assertEquals(image.componentOf(shared), Component.SYSTEMD);
        InitrdPath libcryptsetup = image.plan().entries().stream().map(PlanEntry::path)
                .filter(p -> p.fileName().startsWith("libcryptsetup.so")).findFirst().orElseThrow();
        assertEquals(image.componentOf(libcryptsetup), Component.CRYPTSETUP);
        long sum = image.sizes().values().stream().mapToLong(Stage1Image.Size::bytes).sum();
        assertEquals(sum, image.totalBytes());
        assertTrue(image.sizes().get(Component.MODULES).bytes() > 100_000);
    }

    @Test
    public void theWrittenInitrdReadsBackWithTheGeneratedFiles() throws Exception {
        Stage1Image image = build(HOST.withHooks(null, "echo hi", null, null));
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
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> build(Stage1Options.parse("{}", "test")));
        assertTrue(e.getMessage().contains("plymouthd"), e.getMessage());
        assertTrue(e.getMessage().contains("\"plymouth\": false"), e.getMessage());
    }
}
