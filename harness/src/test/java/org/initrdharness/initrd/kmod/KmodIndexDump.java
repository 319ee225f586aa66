package org.initrdharness.initrd.kmod;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: every (key, priority, value) of a kmod binary index, read independently of the
 * writer, so that indexes written by depmod and by {@link KmodIndex} can be compared entry by
 * entry whatever node order each writer uses.
 */
final class KmodIndexDump {
    private KmodIndexDump() { }

    static List<String> entries(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        if (b.getInt(0) != KmodIndex.MAGIC) throw new IllegalArgumentException("bad magic");
        if (b.getInt(4) != KmodIndex.VERSION) throw new IllegalArgumentException("bad version");
        List<String> out = new ArrayList<>();
        walk(b, b.getInt(8), "", out);
        out.sort(null);
        return out;
    }

    private static void walk(ByteBuffer b, int offset, String key, List<String> out) {
        int pos = offset & 0x0FFFFFFF;
        StringBuilder k = new StringBuilder(key);
        if ((offset & KmodIndex.FLAG_PREFIX) != 0) {
            while (b.get(pos) != 0) k.append((char) b.get(pos++));
            pos++;
        }
        List<int[]> children = new ArrayList<>();
        if ((offset & KmodIndex.FLAG_CHILDREN) != 0) {
            int first = b.get(pos++) & 0xff;
            int last = b.get(pos++) & 0xff;
            for (int c = first; c <= last; c++) {
                int child = b.getInt(pos);
                pos += 4;
                if (child != 0) children.add(new int[] {c, child});
            }
        }
        if ((offset & KmodIndex.FLAG_VALUES) != 0) {
            int count = b.getInt(pos);
            pos += 4;
            for (int i = 0; i < count; i++) {
                int priority = b.getInt(pos);
                pos += 4;
                int end = pos;
                while (b.get(end) != 0) end++;
                out.add(k + " [" + priority + "] " + new String(file(b), pos, end - pos, StandardCharsets.US_ASCII));
                pos = end + 1;
            }
        }
        for (int[] c : children) walk(b, c[1], k.toString() + (char) c[0], out);
    }

    private static byte[] file(ByteBuffer b) {
        return b.array();
    }
}
