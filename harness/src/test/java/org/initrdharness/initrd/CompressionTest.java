package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import org.testng.annotations.Test;

public class CompressionTest {
    @Test
    public void parsesFormatsAndLevels() {
        assertEquals(Compression.parse("zstd").format(), Compression.Format.ZSTD);
        assertEquals(Compression.parse("zstd").level(), Compression.DEFAULT_LEVEL);
        assertEquals(Compression.parse("zstd:19").level(), 19);
        assertEquals(Compression.parse("ZSTD:3").toString(), "zstd:3");
        assertEquals(Compression.parse("gzip:9").effectiveLevel(), 9);
        assertEquals(Compression.parse("xz").format(), Compression.Format.XZ);
        assertEquals(Compression.parse("lz4").format(), Compression.Format.LZ4);
        assertEquals(Compression.parse("none"), Compression.NONE);
        assertTrue(Compression.parse("zstd").threads() >= 1);
        assertEquals(Compression.parse("zstd:5").withThreads(3).threads(), 3);
    }

    @Test
    public void refusesWhatItCannotWriteWithTheChoices() {
        String unknown = expectThrows(InitrdBuildException.class, () -> Compression.parse("bzip2")).getMessage();
        assertTrue(unknown.contains("bzip2") && unknown.contains("zstd[:1-19]"), unknown);
        String range = expectThrows(InitrdBuildException.class, () -> Compression.parse("gzip:12")).getMessage();
        assertTrue(range.contains("gzip level 12") && range.contains("1..9"), range);
        String nan = expectThrows(InitrdBuildException.class, () -> Compression.parse("zstd:max")).getMessage();
        assertTrue(nan.contains("not a number"), nan);
        String none = expectThrows(InitrdBuildException.class, () -> Compression.parse("none:3")).getMessage();
        assertTrue(none.contains("takes no level"), none);
        expectThrows(InitrdBuildException.class, () -> Compression.parse(""));
        expectThrows(InitrdBuildException.class, () -> Compression.parse("zstd").withThreads(0));
    }
}
