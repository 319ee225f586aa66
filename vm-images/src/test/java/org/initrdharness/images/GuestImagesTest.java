package org.initrdharness.images;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The images of both arches, built (or taken from the default cache) and checked with the
 * tools that will use them: e2fsck, cryptsetup, and the ELF headers of the sysroot.
 */
public class GuestImagesTest {

    @DataProvider(name = "arches")
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    static GuestImages images(Arch arch) {
        long t0 = System.nanoTime();
        GuestImages g = VmImages.ensure(arch, CacheDirectory.root(), Progress.silent());
        System.out.printf(Locale.ROOT, "%s images ready in %.2f s%n", arch, (System.nanoTime() - t0) / 1e9);
        return g;
    }

    @Test(dataProvider = "arches")
    public void rootFilesystemIsCleanAndLabelled(Arch arch) throws IOException {
        GuestImages g = images(arch);
        HostCommand.Result fsck = Tools.command(Tools.DEFAULT_DEADLINE,
                List.of(Tools.require("e2fsck", "e2fsprogs").toString(), "-fn", g.rootDisk().toString())).run();
        assertEquals(fsck.exit(), 0, "e2fsck -fn " + g.rootDisk() + ":\n" + fsck.text());
        String dump = Tools.check(List.of(Tools.require("dumpe2fs", "e2fsprogs").toString(), "-h", g.rootDisk().toString()),
                "dumpe2fs").text();
        assertTrue(dump.contains("Filesystem volume name:   " + g.rootLabel()), dump);
        assertTrue(dump.contains("Filesystem UUID:          " + g.rootUuid()), dump);
    }

    @Test(dataProvider = "arches")
    public void rootFilesystemHasInitOsReleaseAndAStaticBusyboxOfTheArch(Arch arch) throws IOException {
        GuestImages g = images(arch);
        String init = debugfs(g.rootDisk(), "cat /sbin/init");
        assertTrue(init.startsWith("#!/bin/sh"), init);
        assertTrue(init.contains("STAGE2 "), init);
        assertTrue(debugfs(g.rootDisk(), "cat /usr/lib/os-release").contains("ID=initrd-harness-stage2"));
        assertTrue(debugfs(g.rootDisk(), "stat /etc/os-release").contains("Type: symlink"));
        assertTrue(debugfs(g.rootDisk(), "stat /sbin/init").contains("Mode:  0755"));
        Path busybox = Files.createTempFile("busybox", "");
        try {
            Files.delete(busybox);
            debugfs(g.rootDisk(), "dump /bin/busybox " + busybox);
            assertEquals(ElfMachine.of(busybox), arch.elfMachine(), "stage-2 busybox of " + arch);
        } finally {
            Files.deleteIfExists(busybox);
        }
        assertTrue(debugfs(g.rootDisk(), "stat /bin/poweroff").contains("Fast link dest: \"busybox\""));
    }

    @Test(dataProvider = "arches")
    public void luksVolumeHasTheFixedUuidPbkdf2AndTwoKeySlots(Arch arch) throws IOException {
        GuestImages g = images(arch);
        String dump = Tools.check(List.of(cryptsetup(), "luksDump", g.luksDisk().toString()), "luksDump").text();
        assertTrue(dump.contains("Version:       \t2"), dump);
        assertTrue(dump.contains("UUID:          \t" + g.luksUuid()), dump);
        String slots = dump.substring(dump.indexOf("Keyslots:"), dump.indexOf("Tokens:"));
        assertEquals(count(slots, "PBKDF:      pbkdf2"), 2, slots);
        assertEquals(count(slots, "Iterations: 1000"), 2, slots);
        assertTrue(dump.contains("  0: luks2") && dump.contains("  1: luks2") && !dump.contains("  2: luks2"), dump);
    }

    @Test(dataProvider = "arches")
    public void luksVolumeOpensWithThePassphraseAndTheKeyfileOnly(Arch arch) throws IOException {
        GuestImages g = images(arch);
        String c = cryptsetup();
        HostCommand.Result pass = Tools.command(Tools.DEFAULT_DEADLINE, List.of(c, "open", "--test-passphrase",
                "--key-file=-", g.luksDisk().toString())).input(g.luksPassphrase().getBytes()).run();
        assertEquals(pass.exit(), 0, "passphrase refused: " + pass.text());
        HostCommand.Result key = Tools.command(Tools.DEFAULT_DEADLINE, List.of(c, "open", "--test-passphrase",
                "--key-file", g.luksKeyfile().toString(), g.luksDisk().toString())).run();
        assertEquals(key.exit(), 0, "keyfile refused: " + key.text());
        HostCommand.Result wrong = Tools.command(Tools.DEFAULT_DEADLINE, List.of(c, "open", "--test-passphrase",
                "--key-file=-", g.luksDisk().toString())).input("not-the-passphrase".getBytes()).run();
        assertEquals(wrong.exit(), 2, "a wrong passphrase must be refused: " + wrong.text());
    }

    @Test(dataProvider = "arches")
    public void sysrootBinariesAreOfTheGuestArch(Arch arch) throws IOException {
        GuestImages g = images(arch);
        Path s = g.sysroot();
        String t = arch.triplet();
        List<Path> must = List.of(s.resolve("usr/lib/systemd/systemd"), s.resolve("usr/lib/systemd/systemd-cryptsetup"),
                s.resolve("usr/bin/udevadm"), s.resolve("usr/bin/kmod"), s.resolve("usr/sbin/e2fsck"),
                s.resolve("usr/sbin/cryptsetup"), s.resolve("usr/bin/busybox"), s.resolve("usr/bin/bash"),
                s.resolve("usr/sbin/plymouthd"), s.resolve("usr/lib/" + t + "/libc.so.6"),
                s.resolve("usr/lib/" + t + "/plymouth/details.so"), s.resolve("usr/lib/" + t + "/libcryptsetup.so.12"));
        for (Path p : must) {
            assertEquals(ElfMachine.of(p), arch.elfMachine(), p.toString());
        }
        // Every ELF file in the usual places, not just the few named above.
        List<String> wrong = new ArrayList<>();
        int elves = 0;
        for (String dir : List.of("usr/bin", "usr/sbin", "usr/lib/" + t, "usr/lib/systemd")) {
            try (Stream<Path> files = Files.walk(s.resolve(dir))) {
                // Not following links: an absolute link would be resolved on the host.
                for (Path p : files.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                    int m = ElfMachine.of(p);
                    if (m < 0) continue;
                    elves++;
                    if (m != arch.elfMachine()) wrong.add(s.relativize(p) + " (" + m + ")");
                }
            }
        }
        System.out.printf("%s sysroot: %d ELF files checked%n", arch, elves);
        assertTrue(elves > 200, "too few ELF files: " + elves);
        assertTrue(wrong.isEmpty(), "ELF files of another arch in the " + arch + " sysroot: " + wrong);
        assertTrue(Files.isRegularFile(s.resolve("usr/lib/os-release")));
        assertTrue(Files.isSymbolicLink(s.resolve("lib")));
        String interp = arch == Arch.X86_64 ? "lib64/ld-linux-x86-64.so.2" : "lib/ld-linux-aarch64.so.1";
        assertTrue(Files.isRegularFile(s.resolve(interp)), "ELF interpreter reachable through merged /usr: " + interp);
    }

    @Test(dataProvider = "arches")
    public void kernelModulesAndManifestAgree(Arch arch) throws IOException {
        GuestImages g = images(arch);
        assertEquals(g.modules().getFileName().toString(), g.kernelVersion());
        assertTrue(Files.isRegularFile(g.modules().resolve("modules.dep")), "depmod ran");
        assertTrue(Files.exists(g.modules().resolve("kernel/drivers/block/virtio_blk.ko")), "virtio_blk module");
        assertTrue(Files.readString(g.kernelConfig()).contains("CONFIG_DEVTMPFS=y"));
        if (arch == Arch.AARCH64) {
            byte[] head = Files.readAllBytes(g.kernel());
            assertEquals(new String(head, 56, 4), "ARM\u0064", "arm64 Image magic at offset 56");
        } else {
            byte[] head = Files.readAllBytes(g.kernel());
            assertEquals(new String(head, 0x202, 4), "HdrS", "bzImage setup header");
        }
        JsonNode m = new ObjectMapper().readTree(g.manifest().toFile());
        assertEquals(m.path("arch").asText(), arch.id());
        assertEquals(m.path("kernel").path("version").asText(), g.kernelVersion());
        assertTrue(m.path("packages").size() > 50, "packages in the manifest");
        for (JsonNode p : m.path("packages")) {
            assertEquals(p.path("sha256").asText().length(), 64, p.toString());
            assertTrue(p.path("arch").asText().equals(arch.debianArch()) || p.path("arch").asText().equals("all"), p.toString());
        }
        assertEquals(m.path("images").path("luksDisk").path("sha256").asText(), ImageCache.sha256(g.luksDisk()));
        assertEquals(m.path("images").path("rootDisk").path("sha256").asText(), ImageCache.sha256(g.rootDisk()));
        System.out.printf(Locale.ROOT, "%s: kernel %s, %d packages, sysroot %s in %d files, root disk %s, LUKS %s%n",
                arch, g.kernelVersion(), m.path("packages").size(), Progress.human(m.path("sysroot").path("bytes").asLong()),
                m.path("sysroot").path("files").asLong(), Progress.human(Files.size(g.rootDisk())),
                Progress.human(Files.size(g.luksDisk())));
    }

    private static String debugfs(Path image, String request) throws IOException {
        String out = Tools.check(List.of(Tools.require("debugfs", "e2fsprogs").toString(), "-R", request,
                image.toString()), "debugfs " + request).text();
        // debugfs prints its banner on stderr, which is merged into the output.
        return out.startsWith("debugfs ") ? out.substring(out.indexOf('\n') + 1) : out;
    }

    private static String cryptsetup() {
        return Tools.require("cryptsetup", "cryptsetup-bin").toString();
    }

    private static int count(String hay, String needle) {
        int n = 0;
        for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) n++;
        return n;
    }
}
