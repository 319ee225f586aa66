package org.initrdharness.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;

/**
 * A small guest for testing the machine layer: the Debian kernel from {@link VmImages} and a
 * busybox initrd whose /init does what {@code test=MODE} on the kernel command line says:
 * {@code marker} prints a marker and powers off, {@code panic} lets init exit, {@code quiet}
 * says nothing more, {@code prompt} asks for a passphrase without a newline, {@code evidence} asks
 * for one, prints the start of /dev/vda and lets init exit, {@code shell}
 * (the default) runs a shell on the console. The virtio modules are loaded first, so that disks
 * show up as /dev/vdX.
 */
final class BusyboxGuest {

    /**
     * The virtio chain for PCI disks in load order (on arm64 the first two are built in), and
     * pvpanic, which tells QEMU about a panic.
     */
    private static final List<String> MODULES = List.of(
            "virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev", "virtio_pci", "virtio_blk",
            "pvpanic", "pvpanic-mmio", "pvpanic-pci");

    private static final String INIT = String.join("\n",
            "#!/bin/busybox sh",
            "/bin/busybox mkdir -p /proc /sys /dev /tmp",
            "/bin/busybox mount -t proc proc /proc",
            "/bin/busybox mount -t sysfs sysfs /sys",
            "/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null",
            "/bin/busybox --install -s /bin",
            "export PATH=/bin",
            "for m in " + String.join(" ", MODULES) + "; do",
            "  [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko",
            "done",
            "mode=shell",
            "for w in $(cat /proc/cmdline); do case \"$w\" in test=*) mode=${w#test=};; esac; done",
            "echo \"HARNESS-INIT mode=$mode\"",
            "case \"$mode\" in",
            "  marker) echo \"HARNESS-MARKER $(uname -m)\"; poweroff -f ;;",
            "  panic) echo HARNESS-PANICKING; exit 1 ;;",
            "  quiet) sleep 3600 ;;",
            "  prompt) printf 'Please enter passphrase for disk test-disk: '; read -r answer;"
                    + " echo \"HARNESS-ANSWER length=${#answer}\"; poweroff -f ;;",
            // A boot that fails on purpose after reading a typed answer and its first disk.
            "  evidence) printf 'Please enter passphrase for disk test-disk: '; read -r -t 120 answer;"
                    + " echo \"HARNESS-ANSWER length=${#answer}\"; echo \"HARNESS-DISK $(head -c 40 /dev/vda | tr -dc 'a-z0-9-')\";"
                    + " echo HARNESS-PANICKING; exit 1 ;;",
            "  *) echo HARNESS-SHELL; exec sh ;;",
            "esac",
            "");

    private static final Map<Arch, BusyboxGuest> BUILT = new ConcurrentHashMap<>();

    final Arch arch;
    final Path kernel;
    final Path initrd;

    private BusyboxGuest(Arch arch, Path kernel, Path initrd) {
        this.arch = arch;
        this.kernel = kernel;
        this.initrd = initrd;
    }

    /** The guest for {@code arch}, built once per JVM. */
    static BusyboxGuest of(Arch arch) {
        return BUILT.computeIfAbsent(arch, a -> {
            try {
                return build(a);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static BusyboxGuest build(Arch arch) throws IOException {
        GuestImages images = VmImages.ensure(arch);
        InitrdPlan.Builder plan = InitrdPlan.builder();
        plan.add(new PlanEntry.RegularFile(InitrdPath.of("/bin/busybox"), images.sysroot().resolve("usr/bin/busybox"),
                0755, "busybox-static"));
        plan.add(PlanEntry.Generated.text(InitrdPath.of("/init"), INIT, 0755, "test init"));
        plan.add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "console for init"));
        for (String dir : List.of("/proc", "/sys", "/tmp")) {
            plan.add(new PlanEntry.Directory(InitrdPath.of(dir), 0755, "mount point"));
        }
        try (Stream<Path> s = Files.walk(images.modules())) {
            for (Path ko : (Iterable<Path>) s::iterator) {
                String name = ko.getFileName().toString();
                if (name.endsWith(".ko") && MODULES.contains(name.substring(0, name.length() - 3))) {
                    plan.add(new PlanEntry.RegularFile(InitrdPath.of("/lib/modules/" + name), ko, 0644, "virtio disks, pvpanic"));
                }
            }
        }
        Path dir = Files.createDirectories(Path.of("target", "test-guests", arch.id()).toAbsolutePath());
        Path initrd = dir.resolve("busybox-initrd.gz");
        InitrdWriter.write(plan.build(), Compression.parse("gzip:1"), List.of(), initrd);
        // A copy: the shared image cache may replace its entries while tests run.
        Path kernel = dir.resolve("kernel");
        Files.copy(images.kernel(), kernel, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new BusyboxGuest(arch, kernel, initrd);
    }

    /** A spec booting this guest in {@code mode}, its artifacts under target/machines/NAME-ARCH. */
    MachineSpec.Builder spec(String name, String mode) {
        return MachineSpec.builder(arch).name(name).kernel(kernel).initrd(initrd).memoryMiB(256)
                .append("test=" + mode)
                .artifactDir(Path.of("target", "machines", name + "-" + arch.id()));
    }
}
