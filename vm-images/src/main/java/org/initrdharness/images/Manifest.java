package org.initrdharness.images;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cache entry's manifest.json: what went in (packages with their sha256, the kernel) and what
 * came out (each image's path in the entry, size and sha256). The builder writes it last; the
 * cache checks an entry against it and takes the images' paths from it.
 *
 * @param entry the entry's name, the hash of its inputs
 */
public record Manifest(int recipe, String arch, String debianArch, String release, String entry, Kernel kernel, Sysroot sysroot,
        List<Package> packages, Stage2 stage2, Images images) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param version the release, as in /lib/modules: "6.1.0-56-amd64" */
    public record Kernel(String version, @JsonProperty("package") String packageName, String packageVersion,
            String sha256) {}

    /** @param skipped package members that could not be placed */
    public record Sysroot(long files, long bytes, List<String> skipped) {}

    /** A downloaded package; {@code arch} is Debian's ("amd64", "all"). */
    public record Package(String name, String version, String arch, long size, String sha256) {}

    /** The stage-2 filesystem and its LUKS2 volume. */
    public record Stage2(String label, String uuid, String luksUuid, String luksPassphrase, String pbkdf,
            int pbkdfIterations) {}

    /** @param path relative to the entry */
    public record Image(String path, long size, String sha256) {}

    public record Images(Image kernel, Image kernelConfig, Image luksDisk, Image luksKeyfile, Image rootDisk) {
        /** Every image by its key in the manifest, in the manifest's order. */
        public Map<String, Image> byName() {
            Map<String, Image> m = new LinkedHashMap<>();
            m.put("kernel", kernel);
            m.put("kernelConfig", kernelConfig);
            m.put("luksDisk", luksDisk);
            m.put("luksKeyfile", luksKeyfile);
            m.put("rootDisk", rootDisk);
            return m;
        }
    }

    /** The upstream version of the sysroot's systemd ("257" of "257.13-1~deb13u1"), or null when there is none. */
    public String systemdVersion() {
        if (packages == null) return null;
        for (Package p : packages) {
            if (p.name().equals("systemd")) {
                String v = p.version().replaceFirst("^\\d+:", "");
                return v.replaceFirst("[.~+-].*$", "");
            }
        }
        return null;
    }

    /** @throws IOException unreadable, not JSON, or not a manifest (an unknown key too) */
    public static Manifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Manifest.class);
    }

    /** Pretty-printed, as entries built before this record were. */
    public void write(Path file) throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), this);
    }
}
