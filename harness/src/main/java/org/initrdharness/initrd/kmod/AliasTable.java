package org.initrdharness.initrd.kmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.files.CacheDirectory;

/**
 * Aliases of every module of a kernel and of its built-ins, for resolving soft dependencies
 * ("crypto-crc32c") and aliases asked for by name. Patterns with wildcards match as fnmatch does.
 *
 * <p>Finding them means reading the .modinfo of every module (some 4000 files, most of a second
 * cold), so the table comes from the first of: the tree's own modules.alias when depmod has
 * run there; a cached copy for the same tree (same paths, sizes and mtimes) under
 * {@code <cache>/kmod-aliases} ({@link CacheDirectory}); a full read, which fills that cache.
 */
final class AliasTable {
    /** Set to a directory to move the cache, or to "off" to read modules every time. */
    static final String CACHE_PROPERTY = "initrd-harness.kmod-alias-cache";

    private final Map<String, List<String>> exact = new HashMap<>();
    private final List<Glob> wild = new ArrayList<>();
    private final Map<String, List<String>> builtinExact = new HashMap<>();
    private final List<Glob> builtinWild = new ArrayList<>();

    static AliasTable load(KernelModules km) {
        AliasTable t = new AliasTable();
        try {
            Path depmodAliases = km.moduleDir().resolve("modules.alias");
            Path cache = cacheFile(km);
            if (Files.isRegularFile(depmodAliases) && Files.isRegularFile(km.moduleDir().resolve("modules.dep"))) {
                t.addLines(km, Files.readAllLines(depmodAliases, StandardCharsets.UTF_8));
            } else if (cache != null && Files.isRegularFile(cache)) {
                t.addLines(km, Files.readAllLines(cache, StandardCharsets.UTF_8));
            } else {
                List<ModuleInfo> infos = km.namesInOrder().parallelStream().map(km::info).toList();
                StringBuilder text = new StringBuilder();
                for (ModuleInfo info : infos) {
                    for (String a : info.aliases()) {
                        t.add(a, info.name(), t.exact, t.wild);
                        text.append("alias ").append(a).append(' ').append(info.name()).append('\n');
                    }
                }
                if (cache != null) store(cache, text.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        km.builtinModinfo().forEach((m, info) -> {
            for (String a : info.all("alias")) t.add(a, m, t.builtinExact, t.builtinWild);
        });
        return t;
    }

    /** Module names whose aliases match {@code alias}, in modules.order order. */
    List<String> modules(String alias) {
        return lookup(alias, exact, wild);
    }

    /** Built-in module names whose aliases match {@code alias}. */
    List<String> builtins(String alias) {
        return lookup(alias, builtinExact, builtinWild);
    }

    private void addLines(KernelModules km, List<String> lines) {
        // "alias <pattern> <module>", one a line, as depmod writes modules.alias
        for (String line : lines) {
            if (!line.startsWith("alias ")) continue;
            int space = line.lastIndexOf(' ');
            if (space <= 6) continue;
            String module = KernelModules.normalise(line.substring(space + 1).trim());
            if (km.hasModule(module)) add(line.substring(6, space).trim(), module, exact, wild);
        }
    }

    private static void add(String alias, String module, Map<String, List<String>> exactMap, List<Glob> wildList) {
        String a = KernelModules.normaliseAlias(alias);
        if (a == null) return;
        if (Glob.isPattern(a)) {
            wildList.add(new Glob(a, module));
        } else {
            exactMap.computeIfAbsent(a, k -> new ArrayList<>()).add(module);
        }
    }

    private static List<String> lookup(String alias, Map<String, List<String>> exactMap, List<Glob> wildList) {
        String a = KernelModules.normaliseAlias(alias);
        if (a == null) return List.of();
        LinkedHashSet<String> out = new LinkedHashSet<>(exactMap.getOrDefault(a, List.of()));
        for (Glob g : wildList) {
            if (g.matches(a)) out.add(g.module());
        }
        return List.copyOf(out);
    }

    private static Path cacheFile(KernelModules km) {
        String setting = System.getProperty(CACHE_PROPERTY);
        if ("off".equals(setting)) return null;
        Path dir;
        if (setting != null) {
            dir = Path.of(setting);
        } else {
            dir = CacheDirectory.root().resolve("kmod-aliases");
        }
        return dir.resolve(km.version() + "-" + km.fingerprint().substring(0, 32) + ".alias");
    }

    /** Written to a temporary file and renamed; a cache that cannot be written is skipped. */
    private static void store(Path cache, String text) {
        try {
            AtomicFiles.write(cache, text);
        } catch (IOException | RuntimeException e) {
            // a cache only saves time
        }
    }
}
