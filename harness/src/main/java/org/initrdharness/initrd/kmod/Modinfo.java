package org.initrdharness.initrd.kmod;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The "key=value" strings of a module's {@code .modinfo} section (NUL-separated, padded with
 * NULs), or of one module's part of modules.builtin.modinfo ("module.key=value"). Keys repeat:
 * a module has many {@code alias=} and {@code parm=} lines.
 */
record Modinfo(Map<String, List<String>> values) {
    Modinfo {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        values = java.util.Collections.unmodifiableMap(copy);
    }

    static Modinfo parse(ByteBuffer section) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String s : strings(section)) {
            int eq = s.indexOf('=');
            if (eq <= 0) continue;
            values.computeIfAbsent(s.substring(0, eq), k -> new ArrayList<>()).add(s.substring(eq + 1));
        }
        return new Modinfo(values);
    }

    /**
     * Splits modules.builtin.modinfo ("ext4.alias=fs-ext4\0...") into one {@link Modinfo} per
     * module, keyed by the normalised module name.
     */
    static Map<String, Modinfo> parseBuiltin(ByteBuffer file) {
        Map<String, Map<String, List<String>>> byModule = new LinkedHashMap<>();
        for (String s : strings(file)) {
            int dot = s.indexOf('.');
            int eq = s.indexOf('=');
            if (dot <= 0 || eq < dot) continue;
            String module = KernelModules.normalise(s.substring(0, dot));
            byModule.computeIfAbsent(module, k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.substring(dot + 1, eq), k -> new ArrayList<>())
                    .add(s.substring(eq + 1));
        }
        Map<String, Modinfo> out = new LinkedHashMap<>();
        byModule.forEach((m, v) -> out.put(m, new Modinfo(v)));
        return out;
    }

    List<String> all(String key) {
        return values.getOrDefault(key, List.of());
    }

    String first(String key) {
        List<String> v = all(key);
        return v.isEmpty() ? null : v.get(0);
    }

    private static List<String> strings(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        List<String> out = new ArrayList<>();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start) out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return out;
    }
}
