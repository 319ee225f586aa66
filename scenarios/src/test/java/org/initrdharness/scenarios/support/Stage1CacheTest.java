package org.initrdharness.scenarios.support;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/** Stage 1s kept across runs: the same builder, images and options boot the bytes built before. */
public class Stage1CacheTest {

    @Test
    public void aLaterRunTakesTheStage1AnEarlierOneBuiltAndOtherOptionsBuildTheirOwn() throws IOException {
        GuestImages g = VmImages.ensure(Arch.X86_64);
        Path tmp = Files.createTempDirectory("stage1-cache");
        Stage1Cache cache = new Stage1Cache(tmp.resolve("cache"));
        Compression lz4 = Compression.parse("lz4:1");
        Path first = Stage1Initrds.get(g, Stage1Options.defaults(), lz4, tmp.resolve("run-1"), cache);
        assertEquals(entries(tmp.resolve("cache")).size(), 1, "the build is kept");
        Path second = Stage1Initrds.get(g, Stage1Options.defaults(), lz4, tmp.resolve("run-2"), cache);
        assertNotEquals(second, first);
        assertTrue(Files.isSameFile(second, entries(tmp.resolve("cache")).get(0)), "the second run links the kept build");
        assertEquals(Files.readAllBytes(second), Files.readAllBytes(first));

        Path other = Stage1Initrds.get(g, Stage1Options.builder().plymouth(false).build(), lz4, tmp.resolve("run-2"), cache);
        assertNotEquals(Files.readAllBytes(other), Files.readAllBytes(first));
        assertEquals(entries(tmp.resolve("cache")).size(), 2, "other options are another entry");
        assertTrue(Stage1Cache.codeIdentity().matches("[0-9a-f]{64}"), Stage1Cache.codeIdentity());
    }

    @Test
    public void aCacheThatCannotBeWrittenOnlyMeansBuildingAgain() throws IOException {
        GuestImages g = VmImages.ensure(Arch.X86_64);
        Path tmp = Files.createTempDirectory("stage1-cache");
        Stage1Cache cache = new Stage1Cache(Files.writeString(tmp.resolve("a-file"), "not a directory"));
        Path built = Stage1Initrds.get(g, Stage1Options.defaults(), Compression.parse("lz4:2"), tmp.resolve("run"), cache);
        assertTrue(Files.size(built) > 1_000_000, built + " was built");
    }

    @Test
    public void theLeastRecentlyUsedGoFirstOnceTheCacheIsFull() throws IOException {
        Path tmp = Files.createTempDirectory("stage1-cache");
        Stage1Cache cache = new Stage1Cache(tmp.resolve("cache"), 25);
        Path built = Files.write(tmp.resolve("built.img"), new byte[10]);
        cache.store("a", built);
        cache.store("b", built);
        Files.setLastModifiedTime(cache.entry("a"), FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(cache.entry("b"), FileTime.fromMillis(2_000_000));
        assertTrue(cache.fetch("a", tmp.resolve("out/a.img")), "a is there");
        cache.store("c", built);
        assertFalse(Files.exists(cache.entry("b")), "b was used least recently and went");
        assertTrue(Files.exists(cache.entry("a")) && Files.exists(cache.entry("c")));
        assertFalse(cache.fetch("b", tmp.resolve("out/b.img")), "a pruned entry is built again");
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".img")).sorted().toList();
        }
    }
}
