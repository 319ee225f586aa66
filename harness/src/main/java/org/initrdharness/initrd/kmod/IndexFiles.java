package org.initrdharness.initrd.kmod;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * depmod's output for a set of modules: the text files (modules.dep, .alias, .softdep, .symbols,
 * .devname, .order) and the binary indexes libkmod reads (.dep.bin, .alias.bin, .symbols.bin,
 * .builtin.bin, .builtin.alias.bin). Deterministic: the same modules give the same bytes.
 */
final class IndexFiles {
    private final List<ModuleInfo> modules;
    private final Map<String, Integer> loadPosition = new HashMap<>();
    private final Map<String, ModuleInfo> byName = new LinkedHashMap<>();
    private final Map<String, List<String>> symbols;
    private final byte[] builtinList;
    private final Map<String, Modinfo> builtinModinfo;

    /**
     * @param modules        the included modules in modules.order order (their priority in indexes)
     * @param loadOrder      the same names in load order (dependencies first)
     * @param symbols        exported symbols per module
     * @param builtinList    modules.builtin as shipped
     * @param builtinModinfo modules.builtin.modinfo, parsed
     */
    IndexFiles(List<ModuleInfo> modules, List<String> loadOrder, Map<String, List<String>> symbols,
            byte[] builtinList, Map<String, Modinfo> builtinModinfo) {
        this.modules = modules;
        for (int i = 0; i < loadOrder.size(); i++) loadPosition.put(loadOrder.get(i), i);
        for (ModuleInfo m : modules) byName.put(m.name(), m);
        this.symbols = symbols;
        this.builtinList = builtinList;
        this.builtinModinfo = builtinModinfo;
    }

    Map<String, byte[]> generate() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        StringBuilder dep = new StringBuilder();
        StringBuilder alias = new StringBuilder("# Aliases extracted from modules themselves.\n");
        StringBuilder softdep = new StringBuilder("# Soft dependencies extracted from modules themselves.\n");
        StringBuilder sym = new StringBuilder("# Aliases for symbols, used by symbol_request().\n");
        StringBuilder devname = new StringBuilder();
        StringBuilder order = new StringBuilder();
        KmodIndex depBin = new KmodIndex();
        KmodIndex aliasBin = new KmodIndex();
        KmodIndex symBin = new KmodIndex();

        for (int idx = 0; idx < modules.size(); idx++) {
            ModuleInfo m = modules.get(idx);
            StringBuilder line = new StringBuilder(m.relativePath()).append(':');
            for (String d : sortedDependencies(m)) line.append(' ').append(byName.get(d).relativePath());
            dep.append(line).append('\n');
            depBin.insert(m.name(), line.toString(), idx);
            order.append(m.relativePath()).append('\n');

            for (String a : m.aliases()) {
                alias.append("alias ").append(a).append(' ').append(m.name()).append('\n');
                String normal = KernelModules.normaliseAlias(a);
                if (normal != null) aliasBin.insert(normal, m.name(), idx);
            }
            for (String s : m.softdeps()) {
                softdep.append("softdep ").append(m.name()).append(' ').append(s).append('\n');
            }
            for (String s : symbols.getOrDefault(m.name(), List.of())) {
                sym.append("alias symbol:").append(s).append(' ').append(m.name()).append('\n');
                symBin.insert("symbol:" + s, m.name(), idx);
            }
            String node = devname(m);
            if (node != null) {
                if (devname.length() == 0) devname.append("# Device nodes to trigger on-demand module loading.\n");
                devname.append(node).append('\n');
            }
        }

        KmodIndex builtinBin = new KmodIndex();
        for (String line : new String(builtinList, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty() || !Character.isLetter(line.charAt(0))) continue;
            builtinBin.insert(KernelModules.moduleName(line), "", 0);
        }
        KmodIndex builtinAliasBin = new KmodIndex();
        builtinModinfo.forEach((module, info) -> {
            for (String a : info.all("alias")) {
                String normal = KernelModules.normaliseAlias(a);
                if (normal != null) builtinAliasBin.insert(normal, module, 0);
            }
        });

        out.put("modules.dep", ascii(dep));
        out.put("modules.dep.bin", depBin.toBytes());
        out.put("modules.alias", ascii(alias));
        out.put("modules.alias.bin", aliasBin.toBytes());
        out.put("modules.softdep", ascii(softdep));
        out.put("modules.symbols", ascii(sym));
        out.put("modules.symbols.bin", symBin.toBytes());
        out.put("modules.builtin.bin", builtinBin.toBytes());
        out.put("modules.builtin.alias.bin", builtinAliasBin.toBytes());
        out.put("modules.devname", ascii(devname));
        out.put("modules.order", ascii(order));
        return out;
    }

    /**
     * Every module {@code m} needs, directly or not, listed as modules.dep wants it: the one to
     * load last first (libkmod reads the list backwards).
     */
    private List<String> sortedDependencies(ModuleInfo m) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(m.depends());
        while (!todo.isEmpty()) {
            String d = todo.pop();
            ModuleInfo info = byName.get(d);
            if (info == null || d.equals(m.name()) || !seen.add(d)) continue; // built in
            todo.addAll(info.depends());
        }
        List<String> out = new ArrayList<>(seen);
        out.sort(Comparator.comparingInt((String d) -> loadPosition.getOrDefault(d, -1)).reversed()
                .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** "fuse fuse c10:229" from the aliases devname:fuse and char-major-10-229. */
    private static String devname(ModuleInfo m) {
        String name = null;
        String node = null;
        for (String a : m.aliases()) {
            if (a.startsWith("devname:")) {
                if (name == null) name = a.substring("devname:".length());
            } else if (node == null) {
                node = majorMinor(a, "char-major-", 'c');
                if (node == null) node = majorMinor(a, "block-major-", 'b');
            }
        }
        return name != null && node != null ? m.name() + " " + name + " " + node : null;
    }

    private static String majorMinor(String alias, String prefix, char type) {
        if (!alias.startsWith(prefix)) return null;
        String[] parts = alias.substring(prefix.length()).split("-");
        if (parts.length != 2 || !parts[0].matches("\\d+") || !parts[1].matches("\\d+")) return null;
        return type + parts[0] + ":" + parts[1];
    }

    private static byte[] ascii(CharSequence s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }
}
