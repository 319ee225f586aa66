package org.initrdharness.initrd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
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
        List<String> lines;
        try {
            lines = Files.readAllLines(sysroot.hostPath(r.resolved()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sysroot.hostPath(r.resolved()), e);
        }
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) continue;
            if (line.startsWith("include") && line.length() > 7 && Character.isWhitespace(line.charAt(7))) {
                for (String pattern : line.substring(8).trim().split("\\s+")) {
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
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + part);
                for (String name : sysroot.list(r.resolved())) {
                    if (name.startsWith(".") && !part.startsWith(".")) continue;
                    if (m.matches(Path.of(name))) next.add(dir.resolve(name));
                }
            }
            current = next;
        }
        List<InitrdPath> out = new ArrayList<>();
        for (InitrdPath p : current) if (sysroot.exists(p)) out.add(p);
        return out;
    }
}
