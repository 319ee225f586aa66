package org.initrdharness.images.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Manifest;
import org.initrdharness.images.Progress;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;

/**
 * Makes a {@link StorageLayout}'s disks inside a guest (device-mapper and md are not usable on
 * the host): boots the images' kernel with {@link ProvisioningInitrd} and blank raw disks, runs
 * the layout's lines over the serial shell, and powers off. The disks are cached like the other
 * images: an entry per layout recipe, release, arch, kernel and storage packages' versions,
 * built in a temporary directory under a lock and renamed into place when complete.
 */
public final class Provisioner {
    /** The serial of the images' stage-2 disk, attached read-only as the source of the root's tree. */
    public static final String SOURCE_SERIAL = "stage2src";
    /** Bump when the way disks are provisioned changes. */
    static final int VERSION = 1;
    /** Packages whose versions the disks depend on: the tools that write them and the source tree. */
    static final Set<String> PACKAGES = Set.of("lvm2", "dmsetup", "mdadm", "btrfs-progs", "e2fsprogs", "cryptsetup-bin",
            "busybox-static");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration COMMAND = Duration.ofSeconds(120);

    private Provisioner() {
    }

    /** The layout's disks for these images, made when the cache has none for its key. */
    public static StorageDisks ensure(GuestImages images, StorageLayout layout, Path cache, Progress progress) {
        long t0 = System.nanoTime();
        String label = images.release() + " " + images.arch().id() + " " + layout.name();
        try {
            ImageCache store = new ImageCache(cache);
            String name = entryName(images, layout);
            try (ImageCache.Lock lock = store.lock(name)) {
                Path entry = store.entry(name);
                if (store.isComplete(entry) && disksPresent(entry, layout)) {
                    return new StorageDisks(layout, files(entry, layout), entry, false, seconds(t0));
                }
                progress.report("provision " + label + " disks in a guest");
                Path build = store.newBuildDir(name);
                try {
                    provision(images, layout, build, progress);
                    writeManifest(images, layout, build, name, seconds(t0));
                    entry = store.commit(build, name);
                } catch (IOException | RuntimeException e) {
                    ImageCache.deleteTree(build);
                    throw e;
                }
                progress.report(String.format(java.util.Locale.ROOT, "provisioned %s in %.1f s: %s", label, seconds(t0), entry));
                return new StorageDisks(layout, files(entry, layout), entry, true, seconds(t0));
            }
        } catch (IOException e) {
            throw new ImagesException("provisioning " + label + " disks in " + cache + " failed: " + e.getMessage(), e);
        }
    }

    /** "storage-bookworm-x86_64-lvm-two-disks-<hash>": the hash of every input. */
    static String entryName(GuestImages images, StorageLayout layout) throws IOException {
        Manifest m = Manifest.read(images.manifest());
        StringBuilder sb = new StringBuilder("provisioner " + VERSION + "\n");
        sb.append("release ").append(images.release().id()).append("\narch ").append(images.arch().id()).append('\n');
        sb.append("kernel ").append(images.kernelVersion()).append(' ').append(m.kernel().packageVersion()).append('\n');
        m.packages().stream().filter(p -> PACKAGES.contains(p.name())).sorted(java.util.Comparator.comparing(Manifest.Package::name))
                .forEach(p -> sb.append("package ").append(p.name()).append(' ').append(p.version()).append('\n'));
        sb.append("stage2 ").append(m.images().rootDisk().sha256()).append('\n');
        sb.append("initrd ").append(ImageCache.sha256(ProvisioningInitrd.recipe().getBytes(StandardCharsets.UTF_8))).append('\n');
        sb.append(layout.recipe());
        return "storage-" + images.release().id() + "-" + images.arch().id() + "-" + layout.name() + "-"
                + ImageCache.sha256(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    private static void provision(GuestImages images, StorageLayout layout, Path build, Progress progress) throws IOException {
        Path initrd = build.resolve("provision.initrd");
        ProvisioningInitrd.build(images, initrd);
        MachineSpec.Builder spec = MachineSpec.builder(images.arch()).name("provision-" + layout.name())
                .kernel(images.kernel()).initrd(initrd).memoryMiB(384).artifactDir(build.resolve("boot"))
                .append("quiet").disk(new Disk(images.rootDisk(), org.initrdharness.vm.DiskFormat.RAW, SOURCE_SERIAL, true));
        int n = 0;
        for (BlankDisk d : layout.disks()) {
            Path file = build.resolve(d.fileName());
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength((long) d.sizeMiB() << 20); // sparse
            }
            // Written in place, not through an overlay: these files are the product.
            spec.extraQemuArgs("-blockdev", "driver=raw,node-name=prov" + n + ",file.driver=file,file.filename="
                            + file.toString().replace(",", ",,"),
                    "-device", "virtio-blk-pci,drive=prov" + n + ",serial=" + d.serial());
            n++;
        }
        try (Machine m = Machine.start(spec.build())) {
            m.console().expect(ProvisioningInitrd.READY, BOOT);
            run(m, "mkdir -p " + StorageLayout.SOURCE + " && mount -t ext4 -o ro /dev/disk/by-id/virtio-" + SOURCE_SERIAL
                    + " " + StorageLayout.SOURCE);
            for (String line : layout.script()) {
                progress.report("  " + layout.name() + ": " + line);
                run(m, line);
            }
            run(m, "umount " + StorageLayout.SOURCE + " && sync");
            m.console().sendLine("poweroff -f");
            if (!m.awaitExit(Duration.ofSeconds(60))) {
                throw new ImagesException("the provisioning guest for " + layout.name() + " did not power off: see "
                        + build.resolve("boot"));
            }
        }
        Files.delete(initrd);
    }

    private static void run(Machine m, String line) {
        ShellResult r = m.console().shell().run(line, COMMAND);
        if (r.exitStatus() != 0) {
            throw new ImagesException("provisioning " + m.spec().name() + ": '" + line + "' failed with exit status "
                    + r.exitStatus() + ":\n" + r.output().strip());
        }
    }

    private static void writeManifest(GuestImages images, StorageLayout layout, Path build, String name, double seconds)
            throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("entry", name);
        o.put("release", images.release().id());
        o.put("arch", images.arch().id());
        o.put("layout", layout.recipe());
        o.put("provisionSeconds", Math.round(seconds * 10) / 10.0);
        ObjectNode disks = o.putObject("disks");
        for (BlankDisk d : layout.disks()) disks.put(d.serial(), ImageCache.sha256(build.resolve(d.fileName())));
        ImageCache.deleteTree(build.resolve("boot"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(build.resolve(ImageCache.MANIFEST).toFile(), o);
    }

    private static boolean disksPresent(Path entry, StorageLayout layout) {
        return layout.disks().stream().allMatch(d -> Files.isRegularFile(entry.resolve(d.fileName())));
    }

    private static Map<String, Path> files(Path entry, StorageLayout layout) {
        Map<String, Path> m = new LinkedHashMap<>();
        for (BlankDisk d : layout.disks()) m.put(d.serial(), entry.resolve(d.fileName()));
        return m;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
