package org.initrdharness.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.apt.Apt;
import org.initrdharness.images.apt.AptSources;
import org.initrdharness.images.apt.DebPackage;
import org.initrdharness.images.apt.KernelPackage;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.vm.Arch;

/**
 * Builds, or finds in the cache, the guest images of a Debian release and arch: a kernel with its
 * modules, a systemd stage-1 sysroot, the stage-2 root disk and its LUKS2 volume.
 *
 * <p>The cache is keyed by every input (package versions, the recipe); a warm call touches no
 * network and runs no apt when apt's lists are unchanged. Concurrent callers (threads or
 * processes) wait for each other; an entry that is half-written or whose images do not match
 * their manifest's sha256 is rebuilt, never used.
 */
public final class VmImages {
    private VmImages() {
    }

    /** The images of {@code arch} of the default release in the default cache, progress on standard error. */
    public static GuestImages ensure(Arch arch) {
        return ensure(arch, Release.DEFAULT);
    }

    /** The images of {@code release} and {@code arch} in the default cache, progress on standard error. */
    public static GuestImages ensure(Arch arch, Release release) {
        return ensure(arch, release, CacheDirectory.root(), Progress.stderr());
    }

    /** {@link #ensure(Arch, Release, Path, Progress)} for the default release. */
    public static GuestImages ensure(Arch arch, Path cache, Progress progress) {
        return ensure(arch, Release.DEFAULT, cache, progress);
    }

    /**
     * The images of {@code arch} in {@code cache}, built when missing or broken.
     *
     * @throws ImagesException naming what is missing (apt, an arch's lists, a package, a host
     *                         tool, the network) and what to do
     */
    public static GuestImages ensure(Arch arch, Release release, Path cache, Progress progress) {
        if (arch == null) throw new ImagesException("no arch given: use one of x86_64, aarch64");
        if (release == null) throw new ImagesException("no release given: use one of bookworm, trixie");
        String label = release + " " + arch.id();
        try {
            ImageCache images = new ImageCache(cache);
            try (ImageCache.Lock lock = images.lock(prefix(release, arch))) {
                Apt apt = apt(release, images, progress);
                Resolution res = resolve(arch, release, apt, images, progress);
                String name = res.entryName();
                Path entry = images.entry(name);
                if (Files.isDirectory(entry)) {
                    String broken = verify(entry, images.dir("verified").resolve(name));
                    if (broken == null) return describe(arch, release, entry);
                    progress.report("cache entry " + entry + " is broken (" + broken + "): rebuilding");
                }
                long t0 = System.nanoTime();
                images.sweep(prefix(release, arch) + "-");
                Path debs = images.dir("debs").resolve(arch.debianArch());
                List<DebPackage> all = new ArrayList<>(res.packages());
                all.add(res.kernel());
                apt.download(all, debs, progress, label);
                Path build = images.newBuildDir(name);
                try {
                    new GuestBuilder(res, debs, progress).build(build);
                    entry = images.commit(build, name);
                } catch (IOException | RuntimeException e) {
                    ImageCache.deleteTree(build);
                    throw e;
                }
                progress.report(String.format(java.util.Locale.ROOT, "built %s images in %.1f s: %s", label,
                        (System.nanoTime() - t0) / 1e9, entry));
                return describe(arch, release, entry);
            }
        } catch (IOException e) {
            throw new ImagesException("building " + label + " images in " + cache + " failed: " + e.getMessage(), e);
        }
    }

    /** What a release's and arch's entries, locks and resolutions are named by: "trixie-aarch64". */
    static String prefix(Release release, Arch arch) {
        return release.id() + "-" + arch.id();
    }

    /** apt pointed at the release's own lists under the cache, fetched when missing or old. */
    private static Apt apt(Release release, ImageCache images, Progress progress) throws IOException {
        Path dir = images.dir("apt").resolve(release.id());
        Apt apt = new Apt(dir.resolve("work"), AptSources.of(release, dir));
        // Both arches share the lists: one fetch at a time.
        try (ImageCache.Lock lock = images.lock("apt-" + release.id())) {
            apt.update(progress);
        }
        return apt;
    }

    /**
     * Deletes the cache entries of {@code arch} other than the one {@code keep} lives in (left by
     * older package versions or recipes); returns the entries removed. Guests already running
     * from a removed entry keep their open files.
     */
    public static List<Path> prune(GuestImages keep, Path cache) {
        try {
            ImageCache images = new ImageCache(cache);
            Path keepEntry = keep.manifest().getParent();
            List<Path> removed = new ArrayList<>();
            String prefix = prefix(keep.release(), keep.arch());
            try (ImageCache.Lock lock = images.lock(prefix)) {
                Path entries = images.root().resolve("entries");
                if (!Files.isDirectory(entries)) return removed;
                try (var s = Files.list(entries)) {
                    for (Path e : s.sorted().toList()) {
                        String n = e.getFileName().toString();
                        // Also entries named before releases were (arch first).
                        boolean mine = n.startsWith(prefix + "-")
                                || keep.release() == Release.DEFAULT && n.startsWith(keep.arch().id() + "-");
                        if (mine && !e.equals(keepEntry)) {
                            ImageCache.deleteTree(e);
                            removed.add(e);
                        }
                    }
                }
            }
            return removed;
        } catch (IOException e) {
            throw new ImagesException("pruning " + keep.arch().id() + " entries in " + cache + " failed: " + e.getMessage(), e);
        }
    }

    private static Resolution resolve(Arch arch, Release release, Apt apt, ImageCache images, Progress progress)
            throws IOException {
        List<String> wanted = Recipe.sysrootPackages(release);
        String stamp = apt.stamp();
        Path file = images.dir("resolved").resolve(prefix(release, arch) + ".json");
        Resolution saved = Resolution.load(file, arch, release, stamp, wanted);
        if (saved != null) return saved;
        progress.report("resolve " + release + " " + arch.id() + " (" + arch.debianArch() + ") packages with apt");
        DebPackage kernel = KernelPackage.resolve(apt, arch, Recipe.kernelMetaPackage(arch));
        List<DebPackage> packages = apt.resolve(arch, wanted);
        Resolution res = new Resolution(arch, release, stamp, wanted, kernel, packages);
        res.save(file);
        return res;
    }

    /** Null when the entry is complete and its images match the manifest; otherwise what is wrong. */
    static String verify(Path entry) throws IOException {
        return verify(entry, null);
    }

    /**
     * {@link #verify(Path)}, skipping the sha256 of an image whose size, inode, mtime and ctime
     * are those recorded in {@code stamps} when it last matched. Any write to a file changes its
     * ctime, which no one can set back, so this only skips files nobody has touched since.
     */
    static String verify(Path entry, Path stamps) throws IOException {
        if (!new ImageCache(entry.getParent().getParent()).isComplete(entry)) {
            return "no completion marker, or it does not match the manifest";
        }
        Manifest m;
        try {
            m = Manifest.read(entry.resolve(ImageCache.MANIFEST));
        } catch (IOException e) {
            return "unreadable manifest: " + e.getMessage();
        }
        List<String> known = stamps != null && Files.isRegularFile(stamps) ? Files.readAllLines(stamps) : List.of();
        List<String> now = new ArrayList<>();
        if (m.images() == null) return "no images in the manifest";
        for (Map.Entry<String, Manifest.Image> e : m.images().byName().entrySet()) {
            if (e.getValue() == null) return e.getKey() + " missing from the manifest";
            Path f = entry.resolve(e.getValue().path());
            if (!Files.isRegularFile(f)) return e.getKey() + " missing: " + f;
            if (Files.size(f) != e.getValue().size()) return e.getKey() + " has the wrong size: " + f;
            String sha = e.getValue().sha256();
            String stamp = stamp(f, sha);
            if (!known.contains(stamp) && !ImageCache.sha256(f).equals(sha)) {
                return e.getKey() + " does not match its sha256: " + f;
            }
            now.add(stamp);
        }
        String kv = m.kernel().version();
        for (String must : List.of(GuestBuilder.KERNEL_DIR + "/lib/modules/" + kv + "/kernel",
                GuestBuilder.SYSROOT_DIR + "/usr/lib/os-release", GuestBuilder.SYSROOT_DIR + "/usr/lib/systemd")) {
            if (!Files.exists(entry.resolve(must))) return must + " missing";
        }
        if (stamps != null && !now.equals(known)) {
            AtomicFiles.write(stamps, String.join("", now.stream().map(s -> s + "\n").toList()));
        }
        return null;
    }

    private static String stamp(Path f, String sha) throws IOException {
        Map<String, Object> a = Files.readAttributes(f, "unix:size,ino,dev,lastModifiedTime,ctime");
        return sha + " " + f.getFileName() + " " + a.get("size") + " " + a.get("dev") + ":" + a.get("ino") + " "
                + ((java.nio.file.attribute.FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS)
                + " " + ((java.nio.file.attribute.FileTime) a.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The images as the entry's manifest names them; modules and sysroot are where the builder puts them. */
    private static GuestImages describe(Arch arch, Release release, Path entry) {
        try {
            Manifest m = Manifest.read(entry.resolve(ImageCache.MANIFEST));
            String kv = m.kernel().version();
            Manifest.Images i = m.images();
            Path kernel = entry.resolve(GuestBuilder.KERNEL_DIR);
            return new GuestImages(arch, release, m.systemdVersion(), kv, entry.resolve(i.kernel().path()),
                    kernel.resolve("lib/modules").resolve(kv), kernel.resolve("lib/firmware"),
                    entry.resolve(GuestBuilder.SYSROOT_DIR), entry.resolve(i.rootDisk().path()),
                    m.stage2().label(), m.stage2().uuid(), entry.resolve(i.luksDisk().path()), m.stage2().luksUuid(),
                    m.stage2().luksPassphrase(), entry.resolve(i.luksKeyfile().path()),
                    entry.resolve(ImageCache.MANIFEST), entry.resolve(i.kernelConfig().path()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
