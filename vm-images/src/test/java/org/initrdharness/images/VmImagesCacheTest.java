package org.initrdharness.images;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.vm.Arch;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The image cache end to end, on real builds (x86_64) in a cache of its own whose packages are
 * hard links to the default cache's: concurrent builders, a corrupted image, a half-written entry.
 */
public class VmImagesCacheTest {
    private Path cache;

    @BeforeClass
    public void cacheWithPackagesAlreadyDownloaded() throws IOException {
        GuestImagesTest.images(Arch.X86_64); // fills the default cache's packages
        cache = DebFixtures.scratch("images-cache");
        Path from = CacheDirectory.root().resolve("debs").resolve(Arch.X86_64.debianArch());
        Path to = Files.createDirectories(cache.resolve("debs").resolve(Arch.X86_64.debianArch()));
        try (Stream<Path> s = Files.list(from)) {
            for (Path deb : s.filter(p -> p.toString().endsWith(".deb")).toList()) {
                Files.createLink(to.resolve(deb.getFileName()), deb);
            }
        }
    }

    @Test
    public void concurrentBuildersInTwoProcessesAndTwoThreadsMakeOneEntry() throws Exception {
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        Progress p = (what, n, of, bytes) -> progress.add(what);
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.initrdharness.cli.Main",
                "images", "--arch", "x86_64", "--cache", cache.toString(), "--json", "--quiet")
                .redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process other = pb.start();
        CompletableFuture<GuestImages> a = CompletableFuture.supplyAsync(() -> VmImages.ensure(Arch.X86_64, cache, p));
        CompletableFuture<GuestImages> b = CompletableFuture.supplyAsync(() -> VmImages.ensure(Arch.X86_64, cache, p));
        GuestImages ga = a.get(10, TimeUnit.MINUTES);
        GuestImages gb = b.get(10, TimeUnit.MINUTES);
        assertTrue(other.waitFor(10, TimeUnit.MINUTES), "the other process did not finish");
        String otherOut = new String(other.getInputStream().readAllBytes());
        System.out.printf(Locale.ROOT, "cold build with 3 concurrent builders: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(other.exitValue(), 0, otherOut);
        assertEquals(ga, gb);
        assertTrue(otherOut.contains("\"luksDisk\":\"" + ga.luksDisk() + "\""), otherOut);
        assertTrue(progress.stream().filter(s -> s.startsWith("built ")).count() <= 1,
                "the two threads both built: " + progress);
        try (Stream<Path> s = Files.list(cache.resolve("entries"))) {
            assertEquals(s.count(), 1L, "one entry");
        }
        try (Stream<Path> s = Files.list(cache.resolve("tmp"))) {
            assertEquals(s.count(), 0L, "no build directories left");
        }
        assertNull(VmImages.verify(ga.luksDisk().getParent()));
    }

    @Test(dependsOnMethods = "concurrentBuildersInTwoProcessesAndTwoThreadsMakeOneEntry")
    public void aCorruptedImageIsDetectedAndRebuilt() throws IOException {
        // Two warm calls: the second trusts the stamps of files verified by the first.
        VmImages.ensure(Arch.X86_64, cache, Progress.silent());
        GuestImages before = VmImages.ensure(Arch.X86_64, cache, Progress.silent());
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(before.rootDisk());
        try (RandomAccessFile f = new RandomAccessFile(before.rootDisk().toFile(), "rw")) {
            f.seek(5000);
            int b = f.read();
            f.seek(5000);
            f.write(b ^ 0xff);
        }
        // Hiding the write from mtime must not hide it from the cache (ctime still moves).
        Files.setLastModifiedTime(before.rootDisk(), mtime);
        assertTrue(VmImages.verify(before.rootDisk().getParent()).contains("sha256"));
        List<String> progress = new ArrayList<>();
        GuestImages after = VmImages.ensure(Arch.X86_64, cache, (what, n, of, bytes) -> progress.add(what));
        assertTrue(progress.stream().anyMatch(s -> s.contains("is broken")), progress.toString());
        assertNull(VmImages.verify(after.rootDisk().getParent()));
        assertEquals(after, before, "same inputs, same entry");
    }

    @Test(dependsOnMethods = "aCorruptedImageIsDetectedAndRebuilt")
    public void aHalfWrittenEntryIsNeverUsed() throws IOException {
        GuestImages before = VmImages.ensure(Arch.X86_64, cache, Progress.silent());
        Path entry = before.rootDisk().getParent();
        // A builder that died between writing images and its marker leaves no marker behind.
        Files.delete(entry.resolve(ImageCache.COMPLETE));
        Files.delete(before.luksDisk());
        List<String> progress = new ArrayList<>();
        GuestImages after = VmImages.ensure(Arch.X86_64, cache, (what, n, of, bytes) -> progress.add(what));
        assertTrue(progress.stream().anyMatch(s -> s.contains("no completion marker")), progress.toString());
        assertTrue(Files.isRegularFile(after.luksDisk()));
        assertNull(VmImages.verify(entry));
        long t0 = System.nanoTime();
        VmImages.ensure(Arch.X86_64, cache, Progress.silent());
        System.out.printf(Locale.ROOT, "warm ensure (x86_64): %.2f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
