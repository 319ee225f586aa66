package org.initrdharness.stage1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.vm.Arch;

/** Our systemd stage 1 built from the default vm-images, once per arch and options per JVM. */
final class Stage1Initrds {
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private Stage1Initrds() {}

    static GuestImages images(Arch arch) {
        return VmImages.ensure(arch);
    }

    /** Builds (or reuses) the initrd for {@code options}; {@code name} keys the cache and names the file. */
    static Path initrd(Arch arch, String name, Stage1Options options, Compression compression) throws IOException {
        String key = arch.id() + "-" + name;
        Path done = BUILT.get(key);
        if (done != null) return done;
        GuestImages g = images(arch);
        long t0 = System.nanoTime();
        Stage1Image image = Stage1Assembler.build(arch, options, g.sysroot(), g.modules());
        Path dir = Files.createDirectories(Path.of("target", "stage1-initrds")).toAbsolutePath();
        Path out = dir.resolve(key + ".img");
        InitrdWriter.write(image.plan(), compression, java.util.List.of(), out);
        System.out.printf(Locale.ROOT, "%s stage 1 '%s': %d entries, %.1f MB %s, built in %.1f s%n", arch, name,
                image.plan().size(), Files.size(out) / 1e6, compression.format().id(), (System.nanoTime() - t0) / 1e9);
        BUILT.put(key, out);
        return out;
    }

    static Path initrd(Arch arch, String name, Stage1Options options) throws IOException {
        return initrd(arch, name, options, Compression.parse("zstd:3"));
    }
}
