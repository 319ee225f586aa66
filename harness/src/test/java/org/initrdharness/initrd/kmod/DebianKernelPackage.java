package org.initrdharness.initrd.kmod;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.initrdharness.host.HostCommand;
import org.initrdharness.vm.Arch;

/**
 * Test fixture: a real Debian kernel package (linux-image-&lt;abi&gt;-&lt;flavour&gt;), downloaded
 * once with {@code apt-get download} and unpacked with {@code dpkg-deb -x} under
 * {@code ~/.cache/initrd-harness/test-fixtures/kernels/} (override with the system property or
 * environment variable {@code INITRD_HARNESS_FIXTURES}). Later runs and other test classes reuse
 * the unpacked tree; concurrent JVMs serialise on a lock file. Offline, the newest cached package
 * of the flavour is used.
 *
 * <pre>{@code
 * DebianKernelPackage kernel = DebianKernelPackage.get(Arch.X86_64);
 * Path modules = kernel.moduleDir();   // .../lib/modules/6.1.0-56-amd64
 * Path vmlinuz = kernel.vmlinuz();     // .../boot/vmlinuz-6.1.0-56-amd64
 * }</pre>
 *
 * @param arch    the kernel's architecture
 * @param deb     the package file in the cache
 * @param root    where it is unpacked (read-only by convention: copy before changing anything)
 * @param version the kernel release ("6.1.0-56-amd64")
 */
public record DebianKernelPackage(Arch arch, Path deb, Path root, String version) {
    private static final Map<Arch, DebianKernelPackage> CACHE = new ConcurrentHashMap<>();
    private static final Pattern DEPENDS = Pattern.compile("Depends:\\s*(linux-image-[0-9][^\\s:]*)");

    /** The current linux-image-&lt;flavour&gt; package for {@code arch}, downloaded and unpacked if needed. */
    public static DebianKernelPackage get(Arch arch) throws IOException {
        try {
            return CACHE.computeIfAbsent(arch, a -> {
                try {
                    return fetch(a);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** {@code root}/lib/modules/{@code version}. */
    public Path moduleDir() {
        return root.resolve("lib/modules").resolve(version);
    }

    /** {@code root}/boot/vmlinuz-{@code version} (a raw Image on arm64). */
    public Path vmlinuz() {
        return root.resolve("boot").resolve("vmlinuz-" + version);
    }

    /**
     * A copy of the unpacked tree (hard links, so nearly free) on which the host's
     * {@code depmod} has run: the reference that {@code modprobe -d <it> -S <version>} reads.
     * Made once and cached beside the package.
     */
    public Path depmodReference() throws IOException {
        Path ref = root.resolveSibling(root.getFileName() + ".depmod");
        if (Files.isRegularFile(ref.resolve("lib/modules").resolve(version).resolve("modules.dep.bin"))) return ref;
        Path tmp = Files.createTempDirectory(root.getParent(), ".depmod-");
        try {
            Files.createDirectories(tmp.resolve("lib/modules"));
            run(List.of("cp", "-al", moduleDir().toString(), tmp.resolve("lib/modules").toString()), null);
            run(List.of("depmod", "-b", tmp.toString(), version), null);
            deleteTree(ref);
            Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE);
            return ref;
        } finally {
            deleteTree(tmp);
        }
    }

    /** The fixture cache: {@code ~/.cache/initrd-harness/test-fixtures} unless overridden. */
    public static Path cacheDir() {
        String override = System.getProperty("INITRD_HARNESS_FIXTURES", System.getenv("INITRD_HARNESS_FIXTURES"));
        return override != null ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".cache", "initrd-harness", "test-fixtures");
    }

    private static DebianKernelPackage fetch(Arch arch) throws IOException {
        Path dir = cacheDir().resolve("kernels");
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            String pkg = resolvePackage(arch);
            Path deb = pkg == null ? newestCached(dir, arch) : cachedDeb(dir, pkg, arch);
            if (deb == null) {
                if (pkg == null) {
                    throw new IOException("cannot resolve linux-image-" + arch.kernelFlavour()
                            + " with apt-cache and no kernel package is cached in " + dir
                            + "; run 'apt-get update' (and 'dpkg --add-architecture arm64' for arm64)");
                }
                deb = download(dir, pkg, arch);
            }
            Path debFile = deb;
            Path root = dir.resolve(debFile.getFileName().toString().replaceFirst("\\.deb$", ""));
            if (!Files.isDirectory(root)) unpack(debFile, root);
            try (Stream<Path> versions = Files.list(root.resolve("lib/modules"))) {
                String version = versions.map(p -> p.getFileName().toString()).sorted().findFirst()
                        .orElseThrow(() -> new IOException("no lib/modules/<version> in " + debFile));
                return new DebianKernelPackage(arch, debFile, root, version);
            }
        }
    }

    /** "linux-image-6.1.0-56-amd64" (":arm64" qualified for a foreign arch), or null offline. */
    private static String resolvePackage(Arch arch) {
        String meta = "linux-image-" + arch.kernelFlavour() + qualifier(arch);
        try {
            String out = run(List.of("apt-cache", "depends", meta), null);
            Matcher m = DEPENDS.matcher(out);
            return m.find() ? m.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String qualifier(Arch arch) {
        Arch host = Arch.host();
        return host == arch ? "" : ":" + arch.debianArch();
    }

    static Path cachedDeb(Path dir, String pkg, Arch arch) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                            && p.getFileName().toString().endsWith("_" + arch.debianArch() + ".deb"))
                    .sorted(Comparator.reverseOrder()).findFirst().orElse(null);
        }
    }

    private static Path newestCached(Path dir, Arch arch) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches(
                            "linux-image-[0-9].*-" + arch.kernelFlavour() + "_.*_" + arch.debianArch() + "\\.deb"))
                    .sorted(Comparator.reverseOrder()).findFirst().orElse(null);
        }
    }

    static Path download(Path dir, String pkg, Arch arch) throws IOException {
        Path tmp = Files.createTempDirectory(dir, ".download-");
        try {
            run(List.of("apt-get", "download", "-q", pkg + qualifier(arch)), tmp);
            try (Stream<Path> files = Files.list(tmp)) {
                Path got = files.filter(p -> p.toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb in " + tmp));
                Path target = dir.resolve(got.getFileName().toString().replace("%3a", "_"));
                return Files.move(got, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    static void unpack(Path deb, Path root) throws IOException {
        Path tmp = Files.createTempDirectory(root.getParent(), ".unpack-");
        try {
            run(List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()), null);
            Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteTree(tmp);
        }
    }

    /** Runs a command, returns its output; fails with the output when it exits non-zero or hangs. */
    public static String run(List<String> command, Path workDir) throws IOException {
        return HostCommand.of(Duration.ofMinutes(10), command).in(workDir).check().text();
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) Files.deleteIfExists(p);
    }
}
