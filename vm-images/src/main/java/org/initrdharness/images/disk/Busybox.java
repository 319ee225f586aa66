package org.initrdharness.images.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Facts read from a busybox binary without running it (it may be another arch's). */
public final class Busybox {
    private Busybox() {
    }

    /**
     * The applet names compiled in, read from busybox's sorted, NUL-separated name table
     * (it starts with "[" and "[["); "busybox" itself is left out.
     */
    public static List<String> applets(Path busybox) throws IOException {
        byte[] b = Files.readAllBytes(busybox);
        byte[] start = {'[', 0, '[', '[', 0};
        int at = indexOf(b, start);
        if (at < 0) throw new IOException(busybox + ": no applet name table found: not a busybox binary?");
        List<String> names = new ArrayList<>();
        int i = at;
        while (i < b.length && b[i] != 0) {
            int end = i;
            while (end < b.length && b[end] != 0) end++;
            String name = new String(b, i, end - i, StandardCharsets.US_ASCII);
            if (!name.matches("[\\[\\]a-z0-9_.+-]+")) break;
            if (!name.equals("busybox")) names.add(name);
            i = end + 1;
        }
        if (names.size() < 20) throw new IOException(busybox + ": only " + names.size() + " applets found");
        return names;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
