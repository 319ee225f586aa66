package org.initrdharness.initrd.kmod;

import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * The generated indexes in a real guest: a busybox initrd (Debian's busybox-static, fetched)
 * with the host's kmod (installed by setup-host) loads virtio_pci and virtio_blk by modalias as
 * udev would, then ext4 by name, and mounts an ext4 virtio disk. One TCG boot of 10-30 s.
 */
public class KernelModulesBootTest {
    private static final String MARK_DISK = "KMOD-TEST vda present";
    private static final String MARK_EXT4 = "KMOD-TEST hello-from-ext4";
    private static final String MARK_CRYPT = "KMOD-TEST dm_crypt loaded";

    @Test
    public void guestModprobeLoadsByModaliasAndByNameThroughGeneratedIndexes() throws Exception {
        if (Arch.host() != Arch.X86_64) {
            // The guest runs the host's own kmod binary, so guest and host arch must agree.
            throw new SkipException("the guest runs the host's kmod: needs an x86_64 host, this is " + Arch.host());
        }
        Path busybox = DebianPackage.get("busybox-static", Arch.X86_64).file("/bin/busybox");
        DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
        KernelModules modules = KernelModules.open(kernel.moduleDir());
        ModuleClosure closure = modules.closure(Stage1Modules.defaults());

        InitrdPlan.Builder plan = InitrdPlan.builder();
        modules.addTo(plan, closure, ModuleLayout.lib(kernel.version()));
        plan.add(new PlanEntry.RegularFile(InitrdPath.of("/bin/busybox"), busybox, 0755, "shell"));
        plan.add(new PlanEntry.RegularFile(InitrdPath.of("/sbin/kmod"), Path.of("/usr/bin/kmod"), 0755, "modprobe"));
        plan.add(new PlanEntry.Symlink(InitrdPath.of("/sbin/modprobe"), "kmod", "modprobe"));
        for (Path lib : sharedLibraries(Path.of("/usr/bin/kmod"))) {
            plan.add(new PlanEntry.RegularFile(InitrdPath.of(lib.toString()), lib.toRealPath(), 0755, "library of kmod"));
        }
        plan.add(PlanEntry.Generated.text(InitrdPath.of("/init"), String.join("\n",
                "#!/bin/busybox sh",
                "/bin/busybox mkdir -p /proc /sys /dev /mnt /bin",
                "/bin/busybox --install -s /bin",
                "export PATH=/sbin:/bin",
                "mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev",
                "# what udev does on coldplug: modprobe -b <modalias> for every device, until nothing new",
                "for round in 1 2 3; do",
                "  for f in /sys/bus/*/devices/*/modalias; do modprobe -b -q \"$(cat $f)\"; done",
                "  sleep 1",
                "done",
                "[ -e /sys/block/vda ] && echo '" + MARK_DISK + "'",
                "modprobe ext4 && mount -t ext4 -o ro /dev/vda /mnt && echo \"KMOD-TEST $(cat /mnt/hello)\"",
                "modprobe dm_crypt && [ -d /sys/module/dm_crypt ] && echo '" + MARK_CRYPT + "'",
                "cat /proc/modules",
                "poweroff -f", ""), 0755, "test init"));

        Path work = Files.createTempDirectory("kmod-boot-");
        try {
            Path tree = work.resolve("tree");
            materialise(plan.build(), tree);
            Path initrd = work.resolve("initrd.cpio");
            DebianKernelPackage.run(List.of("sh", "-c",
                    "cd '" + tree + "' && find . | sort | cpio --quiet -o -H newc -R 0:0 > '" + initrd + "'"), null);
            Path content = Files.createDirectories(work.resolve("disk-content"));
            Files.writeString(content.resolve("hello"), "hello-from-ext4\n");
            Path disk = work.resolve("disk.img");
            DebianKernelPackage.run(List.of("mkfs.ext4", "-q", "-d", content.toString(), disk.toString(), "16M"), null);

            long t0 = System.nanoTime();
            String console = boot(kernel.vmlinuz(), initrd, disk, work.resolve("console.log"));
            System.out.printf("boot with %d modules: %.1f s%n", closure.modules().size(), (System.nanoTime() - t0) / 1e9);
            console.lines().filter(l -> l.startsWith("KMOD-TEST") || l.matches("^\\w+ \\d+ \\d+ .* Live .*"))
                    .forEach(l -> System.out.println("  guest: " + l.trim()));
            for (String mark : List.of(MARK_DISK, MARK_EXT4, MARK_CRYPT)) {
                assertTrue(console.contains(mark), "missing '" + mark + "' on the console:\n" + tail(console));
            }
        } finally {
            DebianKernelPackage.deleteTree(work);
        }
    }

    private static String boot(Path kernel, Path initrd, Path disk, Path log) throws IOException, InterruptedException {
        List<String> cmd = List.of("qemu-system-x86_64", "-M", "q35", "-accel", "tcg", "-m", "384", "-nodefaults",
                "-display", "none", "-serial", "stdio", "-no-reboot", "-kernel", kernel.toString(), "-initrd",
                initrd.toString(), "-append", "console=ttyS0 panic=-1 rdinit=/init",
                "-drive", "file=" + disk + ",format=raw,if=virtio");
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!qemu.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError("guest did not power off within 180 s:\n"
                        + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Writes the plan's entries under {@code root} (what an archive would hold). */
    private static void materialise(InitrdPlan plan, Path root) throws IOException {
        for (PlanEntry e : plan.entries()) {
            Path p = root.resolve(e.path().archiveName());
            if (e instanceof PlanEntry.Directory) {
                Files.createDirectories(p);
            } else if (e instanceof PlanEntry.RegularFile f) {
                Files.createDirectories(p.getParent());
                Files.copy(f.source(), p, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                        (f.mode() & 0100) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            } else if (e instanceof PlanEntry.Generated g) {
                Files.createDirectories(p.getParent());
                Files.write(p, g.content());
                if ((g.mode() & 0100) != 0) p.toFile().setExecutable(true, false);
            } else if (e instanceof PlanEntry.Symlink s) {
                Files.createDirectories(p.getParent());
                Files.createSymbolicLink(p, Path.of(s.target()));
            }
        }
    }

    /** The interpreter and libraries ldd lists for {@code binary}, as absolute paths. */
    private static List<Path> sharedLibraries(Path binary) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String line : DebianKernelPackage.run(List.of("ldd", binary.toString()), null).split("\n")) {
            String l = line.trim();
            int arrow = l.indexOf("=> ");
            String path = arrow >= 0 ? l.substring(arrow + 3) : l;
            path = path.replaceAll("\\s*\\(0x[0-9a-f]+\\)$", "").trim();
            if (path.startsWith("/")) out.add(Path.of(path));
        }
        return out;
    }

    private static String tail(String console) {
        String[] lines = console.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }
}
