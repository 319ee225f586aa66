package org.initrdharness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.initrdharness.cli.bench.DracutContents;
import org.initrdharness.images.apt.KernelPackage;
import org.initrdharness.images.bench.HostTools;
import org.initrdharness.images.bench.HostTools.Measurement;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-builder}: the same systemd initrd built by Debian's dracut and by this builder,
 * side by side, with wall time, CPU time, peak memory and size of each. In vm-images because it
 * fetches the kernel as the guest images do; in package {@code cli} because the help lists
 * commands sorted by class name.
 */
@Command(name = "bench-builder", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Builds a systemd initrd (dracut modules systemd, systemd-initrd, dracut-systemd, crypt;"
                + " drivers virtio_blk, virtio_pci, ext4, dm_crypt; zstd) with Debian's dracut, then builds the same"
                + " content with this builder (dracut's file list read from its image, as a contents list) in a"
                + " child JVM, and prints wall time, CPU time (user+sys), peak RSS and compressed size of each"
                + " and the ratios. Installs dracut and downloads the current Debian kernel's modules when missing"
                + " (run as root). Runs alternate between the two; the median of each is reported."})
public final class BenchBuilderCommand implements Callable<Integer>, CliCommand {
    static final List<String> DRACUT_MODULES = List.of("systemd", "systemd-initrd", "dracut-systemd", "crypt");
    static final List<String> DRIVERS = List.of("virtio_blk", "virtio_pci", "ext4", "dm_crypt");

    @Option(names = "--work", paramLabel = "DIR", defaultValue = "/var/tmp/initrd-harness-bench",
            description = "where the kernel, images and sysroot go (default: ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "builds of each (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--kernel-package", paramLabel = "PKG", defaultValue = "linux-image-amd64",
            description = "Debian kernel meta-package whose modules both builders use (default: ${DEFAULT-VALUE})")
    String kernelPackage;

    @Option(names = "--compress", paramLabel = "SPEC", defaultValue = "zstd",
            description = "our compression (dracut uses zstd -15) (default: ${DEFAULT-VALUE})")
    String compress;

    @Option(names = "--jar", paramLabel = "JAR",
            description = "the initrd-harness jar to run as the child (default: the jar this command runs from)")
    Path jar;

    @Option(names = "--java-option", paramLabel = "OPT",
            description = "JVM options of the child (default: -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData, plus an"
                    + " AppCDS archive made by a first untimed run)")
    List<String> javaOptions;

    @Spec
    CommandSpec spec;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        try {
            return bench();
        } catch (IOException | RuntimeException e) {
            return Failures.report(spec, "benchmark failed", e);
        }
    }

    private int bench() throws IOException {
        if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
        Path ourJar = jar != null ? jar : runningJar();
        Files.createDirectories(work);
        HostTools.ensureGnuTime(this::say);
        if (!HostTools.onPath("dracut")) {
            say("installing dracut (replaces initramfs-tools), systemd, cryptsetup");
            HostTools.aptInstall(List.of("dracut", "systemd", "cryptsetup", "zstd"), this::say);
        }
        KernelPackage.Modules kernel = KernelPackage.fetch(kernelPackage, work, (what, n, of, bytes) -> say(what));
        say("kernel " + kernel.version() + ", modules in " + kernel.moduleDir());

        Path dracutImage = work.resolve("dracut.img");
        Path ourImage = work.resolve("initrd-harness.img");
        List<String> dracut = new ArrayList<>(List.of("dracut", "--no-hostonly", "--force", "--kver", kernel.version(),
                "--kmoddir", kernel.moduleDir().toString(), "-m", String.join(" ", DRACUT_MODULES),
                "--add-drivers", String.join(" ", DRIVERS), "--compress", "zstd", dracutImage.toString()));
        say("dracut: " + String.join(" ", dracut));
        List<Measurement> dracutRuns = new ArrayList<>();
        dracutRuns.add(HostTools.measure(work, Duration.ofMinutes(10), dracut, work.resolve("dracut.log")));

        InitrdReader.Contents image = InitrdReader.read(dracutImage);
        DracutContents input = DracutContents.from(image, kernel.version(), kernel.moduleDir(), work);
        say(String.format("dracut's image: %d entries; as a contents list: %d files from the host and the module"
                        + " tree, %d generated by dracut, %d symlinks, %d directories", image.entries().size(),
                input.copied(), input.generated(), input.links(), input.directories()));

        List<String> java = new ArrayList<>(List.of(javaBinary()));
        Path cds = work.resolve("initrd-harness.jsa");
        List<String> options = javaOptions != null ? javaOptions : List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-XX:-UsePerfData");
        java.addAll(options);
        List<String> build = new ArrayList<>(List.of("-jar", ourJar.toString(), "build-initrd", "--contents",
                input.contents().toString(), "--sysroot", input.sysroot().toString(), "--compress", compress,
                "--allow-missing", "--output", ourImage.toString()));
        Path early = work.resolve("early.cpio");
        if (DracutContents.extractEarlyArchives(image, dracutImage, early)) {
            say("dracut put early archives (microcode) first; ours prepends the same bytes");
            build.add("--prepend");
            build.add(early.toString());
        }
        if (javaOptions == null) {
            // One untimed run writes the class-data archive that later JVMs map instead of loading classes.
            List<String> train = new ArrayList<>(java);
            Files.deleteIfExists(cds);
            train.add("-XX:ArchiveClassesAtExit=" + cds);
            train.add("-Xlog:cds=off"); // picocli's Java 5 classes cannot be archived; that is fine
            train.addAll(build);
            HostTools.command(work, Duration.ofMinutes(5), train).check();
            java.add("-XX:SharedArchiveFile=" + cds);
        }
        java.addAll(build);
        say("ours: " + String.join(" ", java));

        List<Measurement> ourRuns = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ourRuns.add(HostTools.measure(work, Duration.ofMinutes(5), java, work.resolve("initrd-harness.log")));
            if (dracutRuns.size() < runs) {
                dracutRuns.add(HostTools.measure(work, Duration.ofMinutes(10), dracut, work.resolve("dracut.log")));
            }
        }
        List<String> log = Files.readAllLines(work.resolve("initrd-harness.log"));
        long warnings = log.stream().filter(l -> l.startsWith("warning:")).count();
        say(log.stream().filter(l -> !l.startsWith("warning:")).reduce("", (a, b) -> a + b).strip()
                + (warnings == 0 ? "" : " (" + warnings + " warnings: links to files dracut generated, and"
                + " libraries dracut left out; see " + work.resolve("initrd-harness.log") + ")"));

        InitrdDiff diff = InitrdDiff.of(InitrdReader.read(dracutImage), InitrdReader.read(ourImage));
        report(median(dracutRuns), median(ourRuns), Files.size(dracutImage), Files.size(ourImage), diff);
        return 0;
    }

    private void report(Measurement d, Measurement o, long dracutSize, long ourSize, InitrdDiff diff) {
        out.println();
        out.printf("load average %s; median of %d runs each%n", loadAverage(), runs);
        out.printf("%-16s %9s %9s %10s %12s%n", "builder", "wall s", "cpu s", "peak MiB", "size bytes");
        out.printf("%-16s %9.2f %9.2f %10.1f %12d%n", "dracut", d.wallSeconds(), d.cpuSeconds(),
                d.peakRssKib() / 1024.0, dracutSize);
        out.printf("%-16s %9.2f %9.2f %10.1f %12d%n", "initrd-harness", o.wallSeconds(), o.cpuSeconds(),
                o.peakRssKib() / 1024.0, ourSize);
        out.printf("%-16s %8.1fx %8.1fx %9.1fx %11.3fx%n", "dracut/ours", d.wallSeconds() / o.wallSeconds(),
                d.cpuSeconds() / o.cpuSeconds(), (double) d.peakRssKib() / o.peakRssKib(),
                (double) dracutSize / ourSize);
        boolean fast = o.wallSeconds() * 8 <= d.wallSeconds();
        boolean small = ourSize <= dracutSize;
        out.printf("target: wall at most 1/8 of dracut's: %s; size no larger: %s%n", fast ? "met" : "NOT met",
                small ? "met" : "NOT met");
        out.printf("content: %d entries only dracut's, %d only ours, %d differ, %d the same (mode, size, bytes,"
                + " link target)%n", diff.removed().size(), diff.added().size(), diff.changed().size(), diff.unchanged());
        diff.removed().stream().limit(5).forEach(e -> out.println("  only dracut's: " + e.path()));
        diff.added().stream().limit(5).forEach(e -> out.println("  only ours: " + e.path()));
        diff.changed().stream().limit(5).forEach(c -> out.println("  differs: " + c.after().path() + ": "
                + String.join(", ", c.differences())));
        out.flush();
    }

    private static Measurement median(List<Measurement> runs) {
        List<Measurement> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Measurement::wallSeconds));
        return sorted.get(sorted.size() / 2);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private void say(String line) {
        out.println("bench-builder: " + line);
        out.flush();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    private static Path runningJar() {
        try {
            Path p = Path.of(BenchBuilderCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) return p;
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("not running from the initrd-harness jar; pass --jar"
                + " scenarios/target/initrd-harness.jar (built by mvn package)");
    }
}
