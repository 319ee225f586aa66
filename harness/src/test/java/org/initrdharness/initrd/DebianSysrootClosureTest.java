package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.initrdharness.initrd.elf.ElfFile;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * Closures inside sysroots of real Debian packages: an aarch64 one unpacked here from arm64
 * .debs (found in the image cache or fetched with apt-get download), and the x86_64 guest
 * sysroot that vm-images builds, when it has been built on this machine.
 */
public class DebianSysrootClosureTest {

    private static Path cache() {
        String env = System.getenv("INITRD_HARNESS_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "initrd-harness");
    }

    /** The .deb of {@code name} for {@code arch}: from the image cache, else apt-get download. */
    private static Path deb(String name, String arch, Path downloads) throws Exception {
        Path dir = cache().resolve("debs").resolve(arch);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                Optional<Path> hit = s.filter(p -> p.getFileName().toString().startsWith(name + "_")).findFirst();
                if (hit.isPresent()) return hit.get();
            }
        }
        run(downloads, "apt-get", "download", name + ":" + arch);
        try (Stream<Path> s = Files.list(downloads)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + "_")).findFirst()
                    .orElseThrow(() -> new SkipException("apt-get download " + name + ":" + arch + " gave no .deb"));
        }
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new SkipException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) throw new SkipException(String.join(" ", cmd) + " failed: " + out);
    }

    @Test
    public void aarch64BashInAnUnpackedSysrootSkipsHostLibraries() throws Exception {
        TreeBuilder t = new TreeBuilder();
        Path downloads = Files.createTempDirectory("debs");
        for (String pkg : List.of("bash", "libc6", "libtinfo6")) {
            Path deb = deb(pkg, "arm64", downloads);
            run(downloads, "dpkg-deb", "-x", deb.toString(), t.root.toString());
        }
        // An x86_64 libtinfo earlier in the search must be passed over for the aarch64 one.
        Path hostTinfo = Path.of("/usr/lib/x86_64-linux-gnu/libtinfo.so.6");
        if (Files.exists(hostTinfo)) {
            Files.createDirectories(t.host("/opt/x86"));
            Files.copy(hostTinfo.toRealPath(), t.host("/opt/x86/libtinfo.so.6"));
            t.file("/etc/ld.so.conf", "/opt/x86\n");
        }
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        c.add("/bin/bash", "test"); // Debian 12's .deb still ships /bin; merging happens at install
        InitrdPlan plan = c.build();
        List<String> files = new ArrayList<>();
        for (PlanEntry e : plan.entries()) {
            if (e instanceof PlanEntry.RegularFile f) {
                files.add(f.path().value());
                assertTrue(f.source().startsWith(t.root.toRealPath()), f.source().toString());
                ElfFile elf = ElfFile.read(f.source());
                assertEquals(elf.machine(), ElfFile.EM_AARCH64, f.toString());
            }
        }
        assertTrue(files.stream().anyMatch(f -> f.endsWith("/ld-linux-aarch64.so.1")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("aarch64-linux-gnu/libc.so.6")), files.toString());
        assertTrue(plan.get(InitrdPath.of("/lib/aarch64-linux-gnu/libtinfo.so.6")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(PlanPaths.follow(plan, "/lib/aarch64-linux-gnu/libtinfo.so.6").orElseThrow() instanceof PlanEntry.RegularFile);
        assertFalse(files.contains("/opt/x86/libtinfo.so.6"), files.toString());
    }

    @Test
    public void systemdInTheX86GuestSysroot() throws IOException {
        Path entries = cache().resolve("entries");
        Optional<Path> sysroot = Optional.empty();
        if (Files.isDirectory(entries)) {
            try (Stream<Path> s = Files.list(entries)) {
                sysroot = s.filter(p -> p.getFileName().toString().startsWith("x86_64-"))
                        .map(p -> p.resolve("sysroot")).filter(p -> Files.exists(p.resolveSibling("complete")))
                        .filter(p -> Files.exists(p.resolve("usr/lib/systemd/systemd"), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .findFirst();
            }
        }
        if (sysroot.isEmpty()) throw new SkipException("no x86_64 guest sysroot with systemd in " + entries + " (build it with the images command)");
        Closure c = new Closure(new Sysroot(sysroot.get()), InitrdPlan.builder());
        long t0 = System.nanoTime();
        c.add("/usr/lib/systemd/systemd", "test").add("/usr/bin/udevadm", "test").add("/usr/lib/systemd/system", "test");
        InitrdPlan plan = c.build();
        System.out.printf("guest sysroot closure: %d entries in %d ms%n", plan.size(), (System.nanoTime() - t0) / 1_000_000);
        assertTrue(PlanPaths.follow(plan, "/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-252.so").isPresent()
                || plan.entries().stream().anyMatch(e -> e.path().value().contains("libsystemd-shared")), "libsystemd-shared");
        assertTrue(c.warnings().stream().noneMatch(w -> w.startsWith("missing")), c.warnings().toString());
    }
}
