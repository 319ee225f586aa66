package org.initrdharness.vm.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.KernelEntry;

/**
 * Chooses how QEMU enters a kernel and, for PVH, finds or makes its vmlinux. A bzImage is
 * unpacked once: the vmlinux (or the reason there is none) is kept under
 * {@code <cache>/vmlinux/<sha256 of the bzImage>}, so the images' kernels and a user's own
 * bzImage are treated alike, and a new kernel at the same path is never confused with the old.
 */
public final class PvhKernels {
    /** One lock per bzImage hash: machines started at once unpack a kernel once. */
    private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

    private final Path dir;

    public PvhKernels(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The vmlinux cache under the harness's cache directory. */
    public static PvhKernels inDefaultCache() {
        return new PvhKernels(CacheDirectory.root().resolve("vmlinux"));
    }

    public Path dir() {
        return dir;
    }

    /**
     * How to boot {@code kernel} on {@code arch}. {@code asked} null means PVH when the kernel
     * has it; PVH asked for but not possible falls back to the bzImage protocol, and the reason
     * says why. An ELF vmlinux given directly is booted as it is (QEMU enters it through PVH).
     *
     * @throws IllegalArgumentException when the bzImage protocol is asked for an ELF kernel
     */
    public KernelBoot choose(Arch arch, Path kernel, KernelEntry asked) {
        String how = asked == null ? "the default" : "asked for";
        if (arch != Arch.X86_64) {
            if (asked == KernelEntry.PVH) {
                return new KernelBoot(kernel, KernelEntry.BZIMAGE, "PVH asked for, but " + arch
                        + " has no PVH entry: QEMU loads the Image itself");
            }
            return new KernelBoot(kernel, KernelEntry.BZIMAGE, arch + ": QEMU loads the Image itself");
        }
        try {
            if (ElfFile.isElf(kernel)) {
                if (asked == KernelEntry.BZIMAGE) {
                    throw new IllegalArgumentException("kernel entry bzimage: " + kernel
                            + " is an ELF vmlinux, not a bzImage; give the bzImage, or --kernel-entry pvh");
                }
                VmlinuxExtractor.requirePvhNote(kernel, kernel.toString());
                return new KernelBoot(kernel, KernelEntry.PVH, how + "; " + kernel.getFileName() + " is a vmlinux with the PVH note");
            }
            if (asked == KernelEntry.BZIMAGE) return new KernelBoot(kernel, KernelEntry.BZIMAGE, "asked for");
            Path vmlinux = vmlinux(kernel);
            return new KernelBoot(vmlinux, KernelEntry.PVH, how + "; vmlinux unpacked from " + kernel.getFileName()
                    + " into " + dir);
        } catch (VmlinuxExtractor.NoPvhException e) {
            return new KernelBoot(kernel, KernelEntry.BZIMAGE, "PVH not possible: " + e.getMessage());
        } catch (IOException e) {
            // A cache that cannot be written must not stop a boot the bzImage protocol can make.
            return new KernelBoot(kernel, KernelEntry.BZIMAGE, "PVH not possible: cannot unpack " + kernel + " into " + dir
                    + ": " + e.getMessage() + " (check that directory's space and permissions)");
        }
    }

    /**
     * The cached vmlinux of {@code bzImage}, unpacked on first use.
     *
     * @throws VmlinuxExtractor.NoPvhException when it has none that PVH can enter (remembered too)
     */
    public Path vmlinux(Path bzImage) throws IOException, VmlinuxExtractor.NoPvhException {
        String sha = sha256(bzImage);
        Path vmlinux = dir.resolve(sha + ".vmlinux");
        Path refusal = dir.resolve(sha + ".no-pvh");
        synchronized (LOCKS.computeIfAbsent(sha, k -> new Object())) {
            if (Files.isRegularFile(vmlinux)) return vmlinux;
            if (Files.isRegularFile(refusal)) throw new VmlinuxExtractor.NoPvhException(Files.readString(refusal).strip());
            String[] refused = new String[1];
            try {
                // Unpacked and checked under a temporary name: a reader never sees half a vmlinux.
                AtomicFiles.writeTo(vmlinux, tmp -> {
                    try {
                        VmlinuxExtractor.extract(bzImage, tmp);
                    } catch (VmlinuxExtractor.NoPvhException e) {
                        refused[0] = e.getMessage();
                        throw new IOException(e.getMessage());
                    }
                });
                return vmlinux;
            } catch (IOException e) {
                if (refused[0] == null) throw e;
                AtomicFiles.write(refusal, refused[0] + "\n");
                throw new VmlinuxExtractor.NoPvhException(refused[0]);
            }
        }
    }

    /** The cached vmlinux of {@code bzImage} if it was unpacked before. */
    public Optional<Path> cached(Path bzImage) throws IOException {
        Path p = dir.resolve(sha256(bzImage) + ".vmlinux");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
