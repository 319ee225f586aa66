package org.initrdharness.initrd.kmod;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.initrdharness.vm.Arch;

/**
 * Test fixture: one Debian package of the host's release for {@code arch}, fetched once with
 * {@code apt-get download} and unpacked with {@code dpkg-deb -x} under the fixture cache
 * ({@code debs/<arch>/}), like {@link DebianKernelPackage}. The project pins what a test reads
 * this way instead of taking whatever the host has installed.
 *
 * @param arch the package's architecture
 * @param deb  the package file in the cache
 * @param root where it is unpacked (read-only by convention)
 */
public record DebianPackage(Arch arch, Path deb, Path root) {
    private static final Map<String, DebianPackage> CACHE = new ConcurrentHashMap<>();

    /** {@code name} for {@code arch}, downloaded and unpacked if needed; fails (never skips) offline. */
    public static DebianPackage get(String name, Arch arch) throws IOException {
        DebianPackage known = CACHE.get(name + ":" + arch);
        if (known != null) return known;
        Path dir = DebianKernelPackage.cacheDir().resolve("debs").resolve(arch.debianArch());
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            Path deb = DebianKernelPackage.cachedDeb(dir, name, arch);
            if (deb == null) deb = DebianKernelPackage.download(dir, name, arch);
            Path root = dir.resolve(deb.getFileName().toString().replaceFirst("\\.deb$", ""));
            if (!Files.isDirectory(root)) DebianKernelPackage.unpack(deb, root);
            DebianPackage p = new DebianPackage(arch, deb, root);
            CACHE.put(name + ":" + arch, p);
            return p;
        }
    }

    /** A file of the package, which must exist. */
    public Path file(String path) throws IOException {
        Path p = root.resolve(path.replaceFirst("^/", ""));
        if (!Files.exists(p)) throw new IOException(deb.getFileName() + " has no " + path);
        return p;
    }
}
