package org.initrdharness.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Bad inputs made from good ones, reproducibly from a seed: cut at every offset class, bytes
 * flipped, JSON values swapped for other types or for hostile values, nesting bombs, broken
 * encodings. Each case has a name that says how it was made, so a failure can be rebuilt.
 */
final class Mutations {
    /** One generated input. */
    record Case(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Bytes a flip writes: the ones that end strings, paths, numbers and structures early. */
    private static final byte[] FLIPS = {0, '"', '/', '.', '[', ']', '{', '}', ',', ':', '\\', '\n', '-', '9',
            (byte) 0xff, (byte) 0xc3, (byte) 0x80, 0x7f, 'e', 'n'};

    /** JSON values of every type and values that are known trouble: the whole set goes in for any value. */
    static final List<String> SWAPS = List.of("null", "true", "false", "0", "-1", "1.5", "1e3", "99999999999",
            "\"\"", "[]", "[null]", "{}", "\"NaN\"", "\"/\"", "\"/.\"", "\"/..\"", "\"//\"", "\"/sysroot/../etc\"",
            "\"x.service/../../evil.conf\"", "\"$\"", "\"a\\nb\"", "\"a\\u0000b\"", "\"\\ud800\"",
            "\"/" + "n".repeat(300) + "\"", "9".repeat(2000), "\"" + "/x".repeat(2600) + "\"", "[[[[[[[[]]]]]]]]");

    private final Random random;

    Mutations(long seed) {
        random = new Random(seed);
    }

    /**
     * Cuts: at every offset of a short input, else at every offset near the start and the end,
     * at each structural byte of a JSON text, and at random places.
     */
    List<Case> truncations(String label, byte[] good, int randomCuts) {
        return truncations(label, good, 130, randomCuts);
    }

    /** {@code edge}: how many offsets at each end are all cut at (a header and a trailer's worth). */
    List<Case> truncations(String label, byte[] good, int edge, int randomCuts) {
        SortedSet<Integer> at = new TreeSet<>();
        if (good.length <= 3 * edge) {
            for (int i = 0; i < good.length; i++) at.add(i);
        } else {
            for (int i = 0; i < edge; i++) {
                at.add(i);
                at.add(good.length - 1 - i);
            }
            for (int i = 0; i < randomCuts; i++) at.add(random.nextInt(good.length));
        }
        List<Case> out = new ArrayList<>();
        for (int n : at) out.add(new Case(label + " cut at " + n, java.util.Arrays.copyOf(good, n)));
        return out;
    }

    List<Case> flips(String label, byte[] good, int count) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] b = good.clone();
            int flips = 1 + random.nextInt(3);
            StringBuilder name = new StringBuilder(label + " flipped");
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(b.length);
                byte to = random.nextBoolean() ? FLIPS[random.nextInt(FLIPS.length)] : (byte) random.nextInt(256);
                b[at] = to;
                name.append(String.format(" @%d=0x%02x", at, to & 0xFF));
            }
            out.add(new Case(name.toString(), b));
        }
        return out;
    }

    /**
     * Every JSON value in {@code json} (found by scanning, not parsing, so it works on any text)
     * swapped in turn for every one of {@link #SWAPS}.
     */
    static List<Case> typeSwaps(String label, String json) {
        List<int[]> spans = valueSpans(json);
        List<Case> out = new ArrayList<>();
        for (int[] s : spans) {
            for (String swap : SWAPS) {
                String mutated = json.substring(0, s[0]) + swap + json.substring(s[1]);
                out.add(new Case(label + " value@" + s[0] + "=" + abbreviate(swap), mutated.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    /** Object keys that name places: map keys of options are file names and paths. */
    static final List<String> KEYS = List.of("x.service/../../evil.conf", "../x.service", "x.service/a/b.conf",
            "/", "/.", "/..", "//", "/etc/../init", "a\\nb", "", "../../x.network", "/" + "k".repeat(300),
            "plymouth", "x.service/.conf", ".service", "k".repeat(60_000));

    /** The first place of each object key in {@code json} swapped in turn for each of {@link #KEYS}. */
    static List<Case> keySwaps(String label, String json) {
        List<Case> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"\\\\]*)\"\\s*:").matcher(json);
        while (m.find()) {
            if (!seen.add(m.group(1))) continue;
            for (String key : KEYS) {
                String mutated = json.substring(0, m.start(1)) + key + json.substring(m.end(1));
                out.add(new Case(label + " key@" + m.start(1) + "=" + abbreviate(key), mutated.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    /** Nesting bombs and the like: structure the parser must bound, not recurse through. */
    static List<Case> bombs(String label) {
        List<Case> out = new ArrayList<>();
        for (int depth : new int[] {63, 64, 65, 1000, 100_000}) {
            out.add(new Case(label + " " + depth + " unclosed [", "[".repeat(depth).getBytes(StandardCharsets.UTF_8)));
            out.add(new Case(label + " " + depth + " nested {\"a\":", ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth))
                    .getBytes(StandardCharsets.UTF_8)));
            out.add(new Case(label + " " + depth + " nested [ in an entry",
                    ("[{\"target\": \"/x\", \"text\": " + "[".repeat(depth) + "]".repeat(depth) + "}]")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new Case(label + " 1 MB string", ("[\"" + "x".repeat(1 << 20) + "\"]").getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    /** The same text in encodings that are not UTF-8, and UTF-8 that is not well formed. */
    static List<Case> encodings(String label, String json) {
        List<Case> out = new ArrayList<>();
        out.add(new Case(label + " UTF-16 with BOM", json.getBytes(StandardCharsets.UTF_16)));
        out.add(new Case(label + " UTF-16LE", json.getBytes(StandardCharsets.UTF_16LE)));
        String latin = json.replaceFirst("\"/", "\"/\u00e9");
        out.add(new Case(label + " Latin-1", latin.getBytes(StandardCharsets.ISO_8859_1)));
        byte[] good = json.getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}}) {
            int at = json.indexOf("\"/") + 2;
            byte[] b = new byte[good.length + bad.length];
            System.arraycopy(good, 0, b, 0, at);
            System.arraycopy(bad, 0, b, at, bad.length);
            System.arraycopy(good, at, b, at + bad.length, good.length - at);
            out.add(new Case(label + String.format(" bad UTF-8 0x%02x... at %d", bad[0] & 0xFF, at), b));
        }
        out.add(new Case(label + " trailing garbage", (json + " x").getBytes(StandardCharsets.UTF_8)));
        out.add(new Case(label + " twice", (json + json).getBytes(StandardCharsets.UTF_8)));
        out.add(new Case(label + " empty", new byte[0]));
        return out;
    }

    /** Start and end of each scalar, array or object value after a ':' or inside an array. */
    static List<int[]> valueSpans(String json) {
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != ':' && c != '[' && c != ',') continue;
            int start = i + 1;
            while (start < json.length() && json.charAt(start) == ' ') start++;
            if (start >= json.length()) break;
            int end = endOfValue(json, start);
            if (end > start) spans.add(new int[] {start, end});
        }
        return spans;
    }

    private static int endOfValue(String s, int i) {
        char c = s.charAt(i);
        if (c == '"') {
            for (int k = i + 1; k < s.length(); k++) {
                if (s.charAt(k) == '\\') k++;
                else if (s.charAt(k) == '"') return k + 1;
            }
            return -1;
        }
        if (c == '[' || c == '{') {
            int depth = 0;
            boolean inString = false;
            for (int k = i; k < s.length(); k++) {
                char d = s.charAt(k);
                if (inString) {
                    if (d == '\\') k++;
                    else if (d == '"') inString = false;
                } else if (d == '"') {
                    inString = true;
                } else if (d == '[' || d == '{') {
                    depth++;
                } else if ((d == ']' || d == '}') && --depth == 0) {
                    return k + 1;
                }
            }
            return -1;
        }
        int k = i;
        while (k < s.length() && ",]} \n".indexOf(s.charAt(k)) < 0) k++;
        return k;
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 21) + "..." : s;
    }
}
