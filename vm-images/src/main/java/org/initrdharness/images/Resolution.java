package org.initrdharness.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.images.apt.DebPackage;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.images.apt.KernelPackage;
import org.initrdharness.vm.Arch;

/**
 * What apt resolved for one arch: the versioned kernel package and the sysroot's closure. It is
 * kept on disk with the fingerprint of apt's lists it came from, so that a warm run needs no apt.
 */
record Resolution(Arch arch, Release release, String listsStamp, List<String> wanted, DebPackage kernel, List<DebPackage> packages) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The kernel release, as in /lib/modules and uname -r: "6.1.0-56-amd64". */
    String kernelVersion() {
        return KernelPackage.release(kernel);
    }

    /** The cache entry name: release, arch and the hash of every input. */
    String entryName() {
        StringBuilder sb = new StringBuilder("recipe " + Recipe.VERSION + "\narch " + arch.id() + "\n");
        sb.append("release ").append(release.id()).append('\n');
        sb.append("kernel ").append(kernel.aptSpec()).append('\n');
        packages.forEach(p -> sb.append("package ").append(p.aptSpec()).append('\n'));
        sb.append("stage2 ").append(org.initrdharness.images.disk.Stage2.UUID).append(' ')
                .append(ImageCache.sha256(org.initrdharness.images.disk.Stage2.initScript().getBytes(java.nio.charset.StandardCharsets.UTF_8))).append('\n');
        sb.append("luks ").append(org.initrdharness.images.disk.LuksVolume.UUID).append('\n');
        return VmImages.prefix(release, arch) + "-" + ImageCache.sha256(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .substring(0, 16);
    }

    void save(Path file) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("recipe", Recipe.VERSION);
        o.put("arch", arch.id());
        o.put("release", release.id());
        o.put("listsStamp", listsStamp);
        ArrayNode w = o.putArray("wanted");
        wanted.forEach(w::add);
        o.set("kernel", node(kernel));
        ArrayNode ps = o.putArray("packages");
        packages.forEach(p -> ps.add(node(p)));
        AtomicFiles.write(file, out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out, o));
    }

    /** The saved resolution when it was made from the same lists, recipe and wanted packages; else null. */
    static Resolution load(Path file, Arch arch, Release release, String listsStamp, List<String> wanted) {
        try {
            if (!Files.isRegularFile(file)) return null;
            JsonNode o = JSON.readTree(file.toFile());
            if (o.path("recipe").asInt() != Recipe.VERSION || !arch.id().equals(o.path("arch").asText())
                    || !release.id().equals(o.path("release").asText())
                    || !listsStamp.equals(o.path("listsStamp").asText())) {
                return null;
            }
            List<String> w = new ArrayList<>();
            o.path("wanted").forEach(n -> w.add(n.asText()));
            if (!w.equals(wanted)) return null;
            List<DebPackage> ps = new ArrayList<>();
            o.path("packages").forEach(n -> ps.add(pkg(n)));
            return new Resolution(arch, release, listsStamp, wanted, pkg(o.path("kernel")), List.copyOf(ps));
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: resolve again
        }
    }

    private static ObjectNode node(DebPackage p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("name", p.name());
        n.put("version", p.version());
        n.put("arch", p.arch());
        return n;
    }

    private static DebPackage pkg(JsonNode n) {
        return new DebPackage(n.path("name").asText(), n.path("version").asText(), n.path("arch").asText());
    }
}
