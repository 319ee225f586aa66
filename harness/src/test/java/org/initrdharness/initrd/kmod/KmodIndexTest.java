package org.initrdharness.initrd.kmod;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.nio.ByteBuffer;
import java.util.List;

import org.initrdharness.initrd.InitrdBuildException;
import org.testng.annotations.Test;

/** The kmod index writer: header, prefix splitting, value order, determinism. */
public class KmodIndexTest {
    @Test
    public void keysSharingPrefixesSplitNodesAndKeepEveryValue() {
        KmodIndex index = new KmodIndex();
        // Inserted so that later keys split earlier nodes mid-prefix and end inside them.
        index.insert("once", "v-once", 1);
        index.insert("one", "v-one", 2);
        index.insert("on", "v-on", 3);
        index.insert("ask", "v-ask", 4);
        index.insert("ate", "v-ate", 5);
        index.insert("", "v-empty", 6);
        byte[] bytes = index.toBytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        assertEquals(b.getInt(0), 0xB007F457);
        assertEquals(b.getInt(4), 0x00020001);
        assertEquals(KmodIndexDump.entries(bytes), List.of(" [6] v-empty", "ask [4] v-ask", "ate [5] v-ate",
                "on [3] v-on", "once [1] v-once", "one [2] v-one"));
    }

    @Test
    public void valuesOfOneKeyAreSortedByPriorityNewestFirstAmongEquals() {
        KmodIndex index = new KmodIndex();
        index.insert("crypto_crc32c", "crc32c_generic", 7);
        index.insert("crypto_crc32c", "crc32c_intel", 2);
        index.insert("crypto_crc32c", "other", 7);
        byte[] bytes = index.toBytes();
        // root: prefix "crypto_crc32c", values (count 3): 2, then the later 7, then the earlier 7
        String text = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        int intel = text.indexOf("crc32c_intel");
        int other = text.indexOf("other");
        int generic = text.indexOf("crc32c_generic");
        assertEquals(intel < other && other < generic, true, text);
    }

    @Test
    public void emptyIndexIsJustTheHeader() {
        assertEquals(new KmodIndex().toBytes().length, 12);
    }

    @Test
    public void nonAsciiIsRefused() {
        expectThrows(InitrdBuildException.class, () -> new KmodIndex().insert("caf\u00e9", "x", 0));
    }
}
