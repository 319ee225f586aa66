package org.initrdharness.initrd.kmod;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a kernel module's {@code .modinfo} says about it.
 *
 * @param name         normalised module name ("dm_crypt")
 * @param relativePath path under the module directory, as modules.dep names it
 *                     ("kernel/drivers/md/dm-crypt.ko")
 * @param file         the module file on the host
 * @param depends      modules it needs loaded first (from {@code depends=}), normalised
 * @param softdeps     {@code softdep=} values verbatim ("pre: crypto-crc32c")
 * @param firmware     firmware files it may request, relative to the firmware directory
 * @param aliases      {@code alias=} patterns verbatim ("virtio:d00000002v*")
 * @param parameters   parameter name to description (from {@code parm=})
 */
public record ModuleInfo(String name, String relativePath, Path file, List<String> depends,
        List<String> softdeps, List<String> firmware, List<String> aliases, Map<String, String> parameters) {

    public ModuleInfo {
        depends = List.copyOf(depends);
        softdeps = List.copyOf(softdeps);
        firmware = List.copyOf(firmware);
        aliases = List.copyOf(aliases);
        parameters = Map.copyOf(parameters);
    }

    static ModuleInfo of(String name, String relativePath, Path file, Modinfo info) {
        List<String> depends = new ArrayList<>();
        for (String line : info.all("depends")) {
            for (String d : line.split(",")) {
                if (!d.isBlank()) depends.add(KernelModules.normalise(d.trim()));
            }
        }
        Map<String, String> parameters = new java.util.TreeMap<>();
        for (String p : info.all("parm")) {
            int colon = p.indexOf(':');
            parameters.put(colon < 0 ? p : p.substring(0, colon), colon < 0 ? "" : p.substring(colon + 1));
        }
        for (String p : info.all("parmtype")) {
            int colon = p.indexOf(':');
            if (colon > 0) parameters.putIfAbsent(p.substring(0, colon), "");
        }
        String declared = info.first("name");
        String n = declared == null ? name : KernelModules.normalise(declared);
        return new ModuleInfo(n, relativePath, file, depends, info.all("softdep"), info.all("firmware"),
                info.all("alias"), parameters);
    }

    /** Soft pre-dependencies: names or aliases to load before this module. */
    public List<String> softdepsPre() {
        return softdepNames(true);
    }

    /** Soft post-dependencies: names or aliases to load after this module. */
    public List<String> softdepsPost() {
        return softdepNames(false);
    }

    // Same reading as libkmod: words after "pre:" or "post:"; words before either are ignored.
    private List<String> softdepNames(boolean pre) {
        List<String> out = new ArrayList<>();
        for (String line : softdeps) {
            Boolean mode = null;
            for (String word : line.trim().split("\\s+")) {
                if (word.equals("pre:")) {
                    mode = Boolean.TRUE;
                } else if (word.equals("post:")) {
                    mode = Boolean.FALSE;
                } else if (!word.isEmpty() && mode != null && mode == pre) {
                    out.add(word);
                }
            }
        }
        return out;
    }
}
