package org.initrdharness.initrd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The library directories of a sysroot's /etc/ld.so.conf, as ldconfig reads them: one directory a
 * line, '#' comments, {@code include GLOB} (relative to the including file's directory, matches
 * sorted), {@code hwcap} lines ignored. Every file is read inside the sysroot. ld.so finds these
 * directories through ld.so.cache; reading the configuration gives the same directories without
 * trusting a cache built for another root.
 */
public final class LdSoConf {
    private static final int MAX_DEPTH = 16;

    private LdSoConf() {}

    /** Directories named by /etc/ld.so.conf in {@code sysroot}, in order, without duplicates. */
    public static List<InitrdPath> directories(Sysroot sysroot) {
        Set<InitrdPath> dirs = new LinkedHashSet<>();
        read(sysroot, InitrdPath.of("/etc/ld.so.conf"), dirs, new LinkedHashSet<>(), 0);
        return List.copyOf(dirs);
    }

    private static void read(Sysroot sysroot, InitrdPath file, Set<InitrdPath> dirs, Set<InitrdPath> reading, int depth) {
        Sysroot.Resolution r = sysroot.resolve(file);
        if (!r.found() || r.node().kind() != Sysroot.Kind.FILE) return;
        if (depth > MAX_DEPTH || !reading.add(r.resolved())) return; // an include cycle reads nothing twice
        String text;
        try {
            text = Files.readString(sysroot.hostPath(r.resolved()), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sysroot.hostPath(r.resolved()), e);
        }
        for (String raw : text.split("\n")) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("include") && line.length() > 7 && Character.isWhitespace(line.charAt(7))) {
                for (String pattern : words(line.substring(8))) {
                    String abs = pattern.startsWith("/") ? pattern : file.parent().value() + "/" + pattern;
                    for (InitrdPath included : glob(sysroot, abs)) {
                        read(sysroot, included, dirs, reading, depth + 1);
                    }
                }
            } else if (line.startsWith("hwcap") && (line.length() == 5 || Character.isWhitespace(line.charAt(5)))) {
                continue;
            } else {
                int eq = line.indexOf('='); // old "dir=libc5" type suffixes
                String dir = eq >= 0 ? line.substring(0, eq).trim() : line;
                if (dir.startsWith("/")) dirs.add(InitrdPath.of(dir));
            }
        }
        reading.remove(r.resolved());
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i))) i++;
            if (i > start) out.add(s.substring(start, i));
        }
        return out;
    }

    /**
     * fnmatch(3) for one path component: '*', '?', and '[...]' classes with ranges and '!' or
     * '^' negation. Hand-written because a regex-backed PathMatcher costs more to set up than a
     * whole library search.
     */
    static boolean globMatches(String pat, int pi, String name, int ni) {
        while (pi < pat.length()) {
            char c = pat.charAt(pi);
            if (c == '*') {
                for (int k = name.length(); k >= ni; k--) {
                    if (globMatches(pat, pi + 1, name, k)) return true;
                }
                return false;
            }
            if (ni >= name.length()) return false;
            if (c == '?') {
                pi++;
                ni++;
                continue;
            }
            if (c == '[') {
                int end = pat.indexOf(']', pi + 2);
                if (end > 0) {
                    int j = pi + 1;
                    boolean negate = pat.charAt(j) == '!' || pat.charAt(j) == '^';
                    if (negate) j++;
                    boolean hit = false;
                    char x = name.charAt(ni);
                    for (; j < end; j++) {
                        if (j + 2 < end && pat.charAt(j + 1) == '-') {
                            if (x >= pat.charAt(j) && x <= pat.charAt(j + 2)) hit = true;
                            j += 2;
                        } else if (pat.charAt(j) == x) {
                            hit = true;
                        }
                    }
                    if (hit == negate) return false;
                    pi = end + 1;
                    ni++;
                    continue;
                }
            }
            if (c == '\\' && pi + 1 < pat.length()) c = pat.charAt(++pi);
            if (c != name.charAt(ni)) return false;
            pi++;
            ni++;
        }
        return ni == name.length();
    }

    /** Paths inside {@code sysroot} matching an absolute glob, sorted as glob(3) sorts them. */
    static List<InitrdPath> glob(Sysroot sysroot, String pattern) {
        List<InitrdPath> current = List.of(InitrdPath.ROOT);
        for (String part : pattern.split("/")) {
            if (part.isEmpty()) continue;
            List<InitrdPath> next = new ArrayList<>();
            boolean wild = part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
            for (InitrdPath dir : current) {
                if (!wild) {
                    next.add(dir.resolve(part));
                    continue;
                }
                Sysroot.Resolution r = sysroot.resolve(dir);
                if (!r.found() || r.node().kind() != Sysroot.Kind.DIRECTORY) continue;
                for (String name : sysroot.list(r.resolved())) {
                    if (name.startsWith(".") && !part.startsWith(".")) continue;
                    if (globMatches(part, 0, name, 0)) next.add(dir.resolve(name));
                }
            }
            current = next;
        }
        List<InitrdPath> out = new ArrayList<>();
        for (InitrdPath p : current) if (sysroot.exists(p)) out.add(p);
        return out;
    }
}
