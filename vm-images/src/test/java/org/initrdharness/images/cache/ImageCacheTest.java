package org.initrdharness.images.cache;

import static org.testng.Assert.expectThrows;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.initrdharness.images.DebFixtures;
import org.testng.annotations.Test;

/** The cache's own rules: markers, renames, locks. */
public class ImageCacheTest {

    @Test
    public void committedEntryIsCompleteUntilItsManifestChanges() throws IOException {
        ImageCache c = new ImageCache(DebFixtures.scratch("cache-marker"));
        Path b = c.newBuildDir("x86_64-abc");
        Files.writeString(b.resolve(ImageCache.MANIFEST), "{\"a\":1}");
        Path e = c.commit(b, "x86_64-abc");
        assertFalse(Files.exists(b));
        assertTrue(c.isComplete(e));
        Files.writeString(e.resolve(ImageCache.MANIFEST), "{\"a\":2}");
        assertFalse(c.isComplete(e), "a manifest that no longer matches its marker");
        Files.delete(e.resolve(ImageCache.COMPLETE));
        assertFalse(c.isComplete(e), "no marker");
    }

    @Test
    public void commitReplacesABrokenEntry() throws IOException {
        ImageCache c = new ImageCache(DebFixtures.scratch("cache-replace"));
        Path broken = Files.createDirectories(c.entry("aarch64-k"));
        Files.writeString(broken.resolve("half-written"), "x");
        Path b = c.newBuildDir("aarch64-k");
        Files.writeString(b.resolve(ImageCache.MANIFEST), "{}");
        Path e = c.commit(b, "aarch64-k");
        assertFalse(Files.exists(e.resolve("half-written")));
        assertTrue(c.isComplete(e));
        try (var s = Files.list(c.dir("tmp"))) {
            assertEquals(s.count(), 0L, "nothing left behind in tmp");
        }
    }

    @Test
    public void lockExcludesOtherHoldersOfTheSameName() throws Exception {
        ImageCache c = new ImageCache(DebFixtures.scratch("cache-lock"));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> {
                    try (ImageCache.Lock l = c.lock("x86_64")) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.sleep(20);
                        inside.decrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(most.get(), 1, "two holders of one lock at once");
    }

    @Test
    public void sweepRemovesDeadBuildersLeftovers() throws IOException {
        ImageCache c = new ImageCache(DebFixtures.scratch("cache-sweep"));
        Path dead = c.newBuildDir("x86_64-k");
        Files.writeString(dead.resolve("stage2.ext4"), "partial");
        Path other = c.newBuildDir("aarch64-k");
        c.sweep("x86_64-");
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(other), "another arch's build is not ours to remove");
    }

    @Test
    public void aLockHeldByAnotherProcessIsWaitedForWithADeadlineAndFreedWhenItDies() throws Exception {
        ImageCache c = new ImageCache(Files.createTempDirectory("cache-lock"));
        Path file = c.dir("locks").resolve("trixie-x86_64.lock");
        // Another process holds the lock as ImageCache does: an fcntl lock and its pid in the file.
        Path holder = Files.writeString(Files.createTempDirectory("holder").resolve("Hold.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        ch.lock();
                        ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + " hold\\n").getBytes()));
                        System.out.println("held");
                        Thread.sleep(120_000);
                    }
                }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), holder.toString(),
                file.toString()).redirectErrorStream(true).start();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            assertEquals(first, "held");
            List<String> said = new ArrayList<>();
            IOException e = expectThrows(IOException.class, () -> c.lock("trixie-x86_64", java.time.Duration.ofSeconds(2), said::add));
            assertTrue(e.getMessage().contains("held by process " + p.pid()), e.getMessage());
            assertEquals(said.size(), 1, "said once that it waits: " + said);
            assertTrue(said.get(0).contains("process " + p.pid() + " (hold)"), said.get(0));

            // The kernel frees a dead holder's lock: the next caller takes it over at once.
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            try (ImageCache.Lock l = c.lock("trixie-x86_64", java.time.Duration.ofSeconds(30), said::add)) {
                assertTrue((System.nanoTime() - t0) / 1e9 < 30);
            }
            assertTrue(Files.readString(file).startsWith(ProcessHandle.current().pid() + " "), "the new holder's pid");
        } finally {
            p.destroyForcibly();
        }
    }
}
