package org.initrdharness.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The current Debian kernel's modules, unpacked from its package into a directory with depmod
 * run over them (the package ships no modules.dep): what dracut's {@code --kmoddir} wants.
 *
 * @param version the kernel release, e.g. {@code 6.1.0-56-amd64}
 * @param moduleDir {@code <root>/lib/modules/<version>}
 */
public record DebianKernel(String version, Path moduleDir) {

    /**
     * Resolves {@code metaPackage} (linux-image-amd64) to its versioned kernel package, downloads
     * it into {@code work} and unpacks it there, unless that was done before.
     */
    public static DebianKernel prepare(String metaPackage, Path work, Consumer<String> progress) throws IOException {
        String depends = HostTools.ok(null, Duration.ofMinutes(1), List.of("apt-cache", "depends", metaPackage));
        Matcher m = Pattern.compile("Depends: (linux-image-(\\d[^\\s:]*))").matcher(depends);
        if (!m.find()) {
            throw new IOException("apt-cache depends " + metaPackage + " names no linux-image-<version> package;"
                    + " run apt-get update, or pass --kernel-package:\n" + depends);
        }
        String pkg = m.group(1);
        String version = m.group(2);
        Path root = work.resolve(pkg);
        Path moduleDir = root.resolve("lib/modules").resolve(version);
        if (!Files.isRegularFile(moduleDir.resolve("modules.dep"))) {
            Files.createDirectories(work);
            progress.accept("downloading and unpacking " + pkg);
            HostTools.ok(work, Duration.ofMinutes(10), List.of("apt-get", "download", "-q", pkg));
            Path deb;
            try (Stream<Path> s = Files.list(work)) {
                deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                        && p.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb in " + work));
            }
            Path tmp = work.resolve(pkg + ".unpacking");
            HostTools.ok(null, Duration.ofMinutes(1), List.of("rm", "-rf", tmp.toString(), root.toString()));
            HostTools.ok(null, Duration.ofMinutes(5), List.of("dpkg-deb", "-x", deb.toString(), tmp.toString()));
            HostTools.ok(null, Duration.ofMinutes(5), List.of("depmod", "-b", tmp.toString(), version));
            Files.move(tmp, root);
            Files.delete(deb);
        }
        return new DebianKernel(version, moduleDir);
    }
}
