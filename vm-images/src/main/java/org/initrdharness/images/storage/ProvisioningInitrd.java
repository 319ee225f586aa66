package org.initrdharness.images.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.images.GuestImages;
import org.initrdharness.initrd.Closure;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.initrd.Sysroot;
import org.initrdharness.initrd.kmod.KernelModules;

/**
 * The provisioning machine's initrd, built by the harness's own builder from the images'
 * sysroot: busybox as init and shell, the storage tools (lvm2, mdadm, btrfs-progs, cryptsetup,
 * e2fsprogs) with their libraries, and the modules the layers need. No udev: lvm makes its own
 * device nodes (lvm.conf below), and the init names disks by serial as udev would.
 */
final class ProvisioningInitrd {
    /** What the init prints when the shell is ready for the layout's lines. */
    static final String READY = "provision: ready";

    static final List<String> TOOLS = List.of("/usr/bin/busybox", "/usr/sbin/lvm", "/usr/sbin/mdadm",
            "/usr/sbin/mkfs.btrfs", "/usr/bin/btrfs", "/usr/sbin/mkfs.ext4", "/usr/sbin/cryptsetup", "/usr/bin/kmod", "/usr/sbin/modprobe");
    static final List<String> MODULES = List.of("virtio_blk", "virtio_pci", "ext4", "dm_mod", "dm_crypt", "xts", "ecb", "algif_skcipher", "md_mod",
            "raid1", "btrfs");

    private static final String LVM_CONF = """
            # No udev in the provisioning initrd: lvm makes /dev/VG/LV itself and waits for nobody.
            activation {
                udev_sync = 0
                udev_rules = 0
            }
            devices {
                obtain_device_list_from_udev = 0
            }
            """;

    private static final String INIT = """
            #!/bin/sh
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev
            mount -t tmpfs tmpfs /run
            for m in %s; do modprobe "$m" || echo "provision: modprobe $m failed"; done
            # The names udev would give, which layouts use: /dev/disk/by-id/virtio-SERIAL.
            mkdir -p /dev/disk/by-id
            for b in /sys/block/vd*; do
              [ -r "$b/serial" ] && ln -sf "/dev/${b##*/}" "/dev/disk/by-id/virtio-$(cat "$b/serial")"
            done
            echo "%s"
            exec setsid cttyhack sh
            """;

    private ProvisioningInitrd() {
    }

    /** Text that changes when what the initrd does changes: part of the disks' cache key. */
    static String recipe() {
        return String.join(" ", TOOLS) + "\n" + String.join(" ", MODULES) + "\n" + LVM_CONF + INIT;
    }

    static void build(GuestImages images, Path out) throws IOException {
        InitrdPlan.Builder plan = InitrdPlan.builder();
        Path sysroot = images.sysroot();
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            Path p = sysroot.resolve(top);
            if (Files.isSymbolicLink(p)) {
                plan.add(new PlanEntry.Symlink(InitrdPath.of("/" + top), Files.readSymbolicLink(p).toString(), "merged /usr"));
            }
        }
        for (String d : List.of("/dev", "/proc", "/sys", "/run", "/tmp", "/mnt", "/etc", "/etc/lvm")) {
            plan.add(new PlanEntry.Directory(InitrdPath.of(d), 0755, "mount point"));
        }
        plan.add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "initial console"));
        Closure closure = new Closure(new Sysroot(sysroot), plan);
        for (String tool : TOOLS) closure.add(tool, "storage tool");
        plan.add(PlanEntry.Generated.text(InitrdPath.of("/etc/lvm/lvm.conf"), LVM_CONF, 0644, "lvm without udev"));
        plan.add(PlanEntry.Generated.text(InitrdPath.of("/init"),
                INIT.formatted(String.join(" ", MODULES), READY), 0755, "busybox init: modules, disk names, shell"));
        for (String applet : List.of("sh", "mount", "umount", "mkdir", "cp", "cat", "ln", "setsid", "cttyhack", "sync",
                "poweroff", "echo", "ls", "blockdev")) {
            InitrdPath link = InitrdPath.of("/usr/bin/" + applet);
            if (!plan.contains(link)) plan.add(new PlanEntry.Symlink(link, "busybox", "busybox applet"));
        }
        KernelModules kmods = KernelModules.open(images.modules());
        kmods.addTo(plan, kmods.closure(MODULES.stream().filter(m -> !kmods.isBuiltin(m)).toList()));
        InitrdWriter.write(plan.build(), Compression.zstd(), List.of(), out);
    }
}
