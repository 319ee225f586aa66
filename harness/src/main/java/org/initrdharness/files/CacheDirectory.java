package org.initrdharness.files;

import java.nio.file.Path;

/**
 * The one directory every cache of the harness lives under: images, vmlinux files, stage 1s,
 * kmod aliases, KVM probes, host speeds. One rule for all, so pointing
 * {@value #ENV} elsewhere moves every one of them (a read-only home, a CI cache volume).
 */
public final class CacheDirectory {
    /** System property naming the directory (tests, child JVMs); wins over the environment. */
    public static final String PROPERTY = "initrd-harness.cache";
    /** Environment variable naming the directory. */
    public static final String ENV = "INITRD_HARNESS_CACHE";

    private CacheDirectory() {
    }

    /** {@code -Dinitrd-harness.cache}, {@code $INITRD_HARNESS_CACHE}, {@code $XDG_CACHE_HOME/initrd-harness}, or {@code ~/.cache/initrd-harness}. */
    public static Path root() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) return Path.of(property).toAbsolutePath();
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "initrd-harness").toAbsolutePath();
        return Path.of(System.getProperty("user.home"), ".cache", "initrd-harness");
    }
}
