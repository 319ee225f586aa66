package org.initrdharness.images.apt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Tools;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.images.deb.DebArchive;
import org.initrdharness.images.deb.TreeWriter;
import org.initrdharness.vm.Arch;

/**
 * A Debian kernel image package: the versioned package (linux-image-6.1.0-56-amd64) that a
 * meta-package (linux-image-amd64) stands for, fetched with the host's apt, unpacked without
 * dpkg, and given the module indexes the package does not ship (depmod writes them).
 */
public final class KernelPackage {
    private static final Duration DEPMOD_DEADLINE = Duration.ofMinutes(5);

    private KernelPackage() {
    }

    /**
     * An unpacked kernel's modules.
     *
     * @param version   the kernel release, e.g. {@code 6.1.0-56-amd64}
     * @param moduleDir {@code <root>/lib/modules/<version>}
     */
    public record Modules(String version, Path moduleDir) {}

    /** The versioned linux-image package apt would install for {@code meta} on an empty {@code arch} system. */
    public static DebPackage resolve(Apt apt, Arch arch, String meta) throws IOException {
        return apt.resolve(arch, List.of(meta)).stream()
                .filter(p -> p.name().startsWith("linux-image-") && !p.name().equals(meta))
                .findFirst()
                .orElseThrow(() -> new ImagesException(meta + " (" + arch.id()
                        + ") depends on no versioned linux-image package: are apt's bookworm lists current?"));
    }

    /** The kernel release a linux-image package installs, as in /lib/modules and uname -r: "6.1.0-56-amd64". */
    public static String release(DebPackage kernel) {
        return kernel.name().substring("linux-image-".length());
    }

    /**
     * Moves {@code usr/lib/modules} (where merged-/usr kernel packages, trixie's on, put modules)
     * to {@code lib/modules}, so that every unpacked kernel has its modules in one place and the
     * host's depmod finds them under {@code -b root}.
     */
    public static void moveModulesToLib(Path root) throws IOException {
        Path usrModules = root.resolve("usr/lib/modules");
        Path modules = root.resolve("lib/modules");
        if (!Files.isDirectory(usrModules) || Files.exists(modules)) return;
        Files.createDirectories(modules.getParent());
        Files.move(usrModules, modules);
    }

    /** Writes modules.dep and the other indexes of {@code release} under {@code root}. */
    public static void depmod(Path depmod, Path root, String release) throws IOException {
        Tools.check(Tools.command(DEPMOD_DEADLINE, List.of(depmod.toString(), "-a", "-b", root.toString(), release)),
                "depmod for " + release);
    }

    /**
     * The kernel {@code meta} names for the host's arch, downloaded into {@code work} and unpacked
     * at {@code work/<package>} with depmod run, unless an earlier call left it there.
     */
    public static Modules fetch(String meta, Path work, Progress progress) throws IOException {
        Arch arch = Arch.host();
        Apt apt = new Apt(work.resolve("apt"));
        DebPackage pkg = resolve(apt, arch, meta);
        String release = release(pkg);
        Path root = work.resolve(pkg.name());
        Path moduleDir = root.resolve("lib/modules").resolve(release);
        if (!Files.isRegularFile(moduleDir.resolve("modules.dep"))) {
            progress.report("downloading and unpacking " + pkg.name());
            apt.download(List.of(pkg), work, Progress.silent(), arch.id());
            Path deb = work.resolve(pkg.fileName());
            Path tmp = work.resolve(pkg.name() + ".unpacking");
            ImageCache.deleteTree(tmp);
            ImageCache.deleteTree(root);
            new TreeWriter(tmp).unpack(new DebArchive(deb));
            moveModulesToLib(tmp);
            depmod(Tools.require("depmod", "kmod"), tmp, release);
            Files.move(tmp, root);
            Files.delete(deb);
        }
        return new Modules(release, moduleDir);
    }
}
