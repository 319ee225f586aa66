package org.initrdharness.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.images.apt.DebPackage;
import org.initrdharness.images.apt.KernelPackage;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.images.deb.DebArchive;
import org.initrdharness.images.deb.TreeWriter;
import org.initrdharness.images.disk.LuksVolume;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.vm.Arch;

/** Assembles one cache entry from downloaded packages: kernel, sysroot, stage-2 disks, manifest. */
final class GuestBuilder {
    static final String KERNEL_DIR = "kernel";
    static final String SYSROOT_DIR = "sysroot";
    static final String ROOT_DISK = "stage2.ext4";
    static final String LUKS_DISK = "stage2-luks.img";
    static final String LUKS_KEYFILE = "stage2-luks.key";

    private final Resolution res;
    private final Path debs;
    private final Progress progress;

    GuestBuilder(Resolution res, Path debs, Progress progress) {
        this.res = res;
        this.debs = debs;
        this.progress = progress;
    }

    /** Fills {@code out}, which must be empty, and writes its manifest last. */
    void build(Path out) throws IOException {
        Arch arch = res.arch();
        String kv = res.kernelVersion();

        progress.report("unpack " + arch.id() + " kernel " + res.kernel());
        TreeWriter kernel = new TreeWriter(out.resolve(KERNEL_DIR));
        kernel.unpack(new DebArchive(debs.resolve(res.kernel().fileName())));
        KernelPackage.moveModulesToLib(kernel.root());
        Path modules = kernel.root().resolve("lib/modules").resolve(kv);
        Path vmlinuz = kernel.root().resolve("boot/vmlinuz-" + kv);
        if (!Files.isRegularFile(vmlinuz) || !Files.isDirectory(modules)) {
            throw new ImagesException(res.kernel() + ": package has no boot/vmlinuz-" + kv + " or lib/modules/" + kv
                    + ": is it a kernel image package?");
        }
        Files.createDirectories(kernel.root().resolve("lib/firmware"));
        depmod(kernel.root(), kv);

        TreeWriter sysroot = new TreeWriter(out.resolve(SYSROOT_DIR)).mergedUsr();
        List<DebPackage> pkgs = res.packages();
        for (int i = 0; i < pkgs.size(); i++) {
            DebPackage p = pkgs.get(i);
            long before = sysroot.bytes();
            sysroot.unpack(new DebArchive(debs.resolve(p.fileName())));
            progress.report("unpack " + arch.id() + " " + p.name() + " " + p.version(), i + 1, pkgs.size(),
                    sysroot.bytes() - before);
        }
        fixUpSysroot(sysroot);

        progress.report("make " + arch.id() + " stage-2 root filesystem (ext4, " + Stage2.LABEL + ")");
        Path busybox = sysroot.resolve("bin/busybox", true);
        if (!Files.isRegularFile(busybox)) {
            throw new ImagesException("busybox-static for " + arch.id() + " did not provide /bin/busybox in " + sysroot.root());
        }
        Path tree = out.resolve("stage2-tree");
        Stage2.layout(busybox, tree);
        Path rootDisk = out.resolve(ROOT_DISK);
        Stage2.mkfs(tree, rootDisk);
        ImageCache.deleteTree(tree);

        progress.report("encrypt " + arch.id() + " stage-2 root filesystem (LUKS2, pbkdf2)");
        LuksVolume.encrypt(rootDisk, out.resolve(LUKS_DISK), out.resolve(LUKS_KEYFILE), out);

        progress.report("write " + arch.id() + " manifest");
        writeManifest(out, vmlinuz, sysroot);
    }

    /** Writes modules.dep and friends (not shipped in the package) when the host has depmod. */
    private void depmod(Path kernelRoot, String kv) throws IOException {
        Path depmod;
        try {
            depmod = Tools.require("depmod", "kmod");
        } catch (ImagesException e) {
            progress.report("depmod not found (install kmod): modules.dep not written for " + kv);
            return;
        }
        KernelPackage.depmod(depmod, kernelRoot, kv);
    }

    /** What systemd looks for that only maintainer scripts (which never run here) would make. */
    private static void fixUpSysroot(TreeWriter sysroot) throws IOException {
        Path usrOsRelease = sysroot.root().resolve("usr/lib/os-release");
        Path etcOsRelease = sysroot.resolve("etc/os-release", true);
        if (!Files.exists(usrOsRelease, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(etcOsRelease)) {
            Files.copy(etcOsRelease, usrOsRelease);
        }
        if (!Files.exists(sysroot.root().resolve("etc/os-release"), LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(sysroot.root().resolve("etc/os-release"), Path.of("../usr/lib/os-release"));
        }
        if (!Files.exists(usrOsRelease)) {
            throw new ImagesException("sysroot " + sysroot.root() + " has no os-release (base-files missing?)");
        }
        // An empty machine-id marks a first boot; systemd in the initrd fills it in memory.
        Path machineId = sysroot.root().resolve("etc/machine-id");
        if (!Files.exists(machineId, LinkOption.NOFOLLOW_LINKS)) Files.writeString(machineId, "");
    }

    private void writeManifest(Path out, Path vmlinuz, TreeWriter sysroot) throws IOException {
        Manifest.Kernel kernel = new Manifest.Kernel(res.kernelVersion(), res.kernel().name(), res.kernel().version(),
                ImageCache.sha256(debs.resolve(res.kernel().fileName())));
        List<Manifest.Package> packages = new ArrayList<>();
        for (DebPackage p : res.packages()) {
            Path f = debs.resolve(p.fileName());
            packages.add(new Manifest.Package(p.name(), p.version(), p.arch(), Files.size(f), ImageCache.sha256(f)));
        }
        Manifest.Stage2 stage2 = new Manifest.Stage2(Stage2.LABEL, Stage2.UUID, LuksVolume.UUID, LuksVolume.PASSPHRASE,
                "pbkdf2", LuksVolume.PBKDF2_ITERATIONS);
        Manifest.Images images = new Manifest.Images(image(out, vmlinuz),
                image(out, vmlinuz.resolveSibling("config-" + res.kernelVersion())), image(out, out.resolve(LUKS_DISK)),
                image(out, out.resolve(LUKS_KEYFILE)), image(out, out.resolve(ROOT_DISK)));
        new Manifest(Recipe.VERSION, res.arch().id(), res.arch().debianArch(), res.release().id(), res.entryName(), kernel,
                new Manifest.Sysroot(sysroot.files(), sysroot.bytes(), List.copyOf(sysroot.skipped())),
                List.copyOf(packages), stage2, images).write(out.resolve(ImageCache.MANIFEST));
    }

    private static Manifest.Image image(Path entry, Path file) throws IOException {
        return new Manifest.Image(entry.relativize(file).toString(), Files.size(file), ImageCache.sha256(file));
    }
}
