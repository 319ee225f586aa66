package org.initrdharness.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.cache.ImageCache;

/** Real Debian packages for tests, fetched once with apt-get download into target/test-debs. */
public final class DebFixtures {
    public static final Path DIR = Path.of("target", "test-debs").toAbsolutePath();

    private DebFixtures() {
    }

    /** The .deb of the host-arch package {@code name} (downloaded on first use). */
    public static synchronized Path get(String name) throws IOException {
        Files.createDirectories(DIR);
        Path found = find(name);
        if (found != null) return found;
        HostCommand.Result r = Tools.command(Duration.ofMinutes(10), List.of(Tools.require("apt-get", "apt").toString(),
                "download", "-q", "-o", "APT::Sandbox::User=root", name)).in(DIR).run();
        found = find(name);
        if (found == null) throw new IOException("apt-get download " + name + " failed:\n" + r.text());
        return found;
    }

    private static Path find(String name) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.list(DIR)) {
            s.filter(p -> p.getFileName().toString().startsWith(name + "_") && p.toString().endsWith(".deb"))
                    .forEach(out::add);
        }
        return out.isEmpty() ? null : out.get(0);
    }

    /** A scratch directory under target/, removed first if it exists. */
    public static Path scratch(String name) throws IOException {
        Path p = Path.of("target", "scratch", name).toAbsolutePath();
        ImageCache.deleteTree(p);
        return Files.createDirectories(p);
    }
}
