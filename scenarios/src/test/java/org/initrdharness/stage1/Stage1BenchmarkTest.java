package org.initrdharness.stage1;

import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.report.profile.ProfileSummary;
import org.initrdharness.scenarios.support.Stage1Initrds;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleMatch;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * Boots our systemd stage 1 and a dracut systemd initrd with the same kernel modules, on the same
 * kernel and stage-2 disk, alternating, and prints the seconds from QEMU start to the stage-2
 * line for each boot and the ratio of the medians. Timings are printed, never asserted.
 *
 * <p>dracut 059 with plymouth comes from {@code harness/bin/dracut-initrd}, which runs it in a
 * throwaway Debian 12 root, never from the host's own; dracut takes its binaries from the root it
 * runs in, so this runs as root and for the host's arch only.
 * {@code -Dstage1.bench.runs=N} sets the rounds (default 3).
 */
public class Stage1BenchmarkTest {
    private static final Pattern STAGE2 = Pattern.compile("STAGE2 \\{.*\"uptime\":([0-9.]+)");

    /** Our stage 1 for these options, built once per run and shared with the scenarios. */
    private static Path initrd(Arch arch, Stage1Options options, Compression compression) {
        return Stage1Initrds.get(VmImages.ensure(arch), options, compression, Path.of("target", "stage1-initrds"));
    }

    @Test(groups = "benchmark")
    public void oursAgainstDracutFromQemuStartToStage2() throws Exception {
        Arch arch = Arch.host();
        if (arch == null) throw new SkipException("dracut runs in a root of the host's arch: x86_64 or aarch64 hosts only");
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new SkipException("harness/bin/dracut-initrd builds its Debian root with mmdebstrap and chroot: run as root");
        }
        int runs = Integer.getInteger("stage1.bench.runs", 3);
        GuestImages g = VmImages.ensure(arch);

        Map<String, Path> initrds = new LinkedHashMap<>();
        initrds.put("ours", initrd(arch, Stage1Options.defaults(), Compression.parse("zstd:19")));
        initrds.put("dracut", dracut(g));
        initrds.forEach((k, p) -> System.out.printf(Locale.ROOT, "%-17s %s %.1f MB%n", k, p, size(p) / 1e6));

        Map<String, List<Double>> times = new LinkedHashMap<>();
        Map<String, List<Double>> uptimes = new LinkedHashMap<>();
        for (int round = 1; round <= runs; round++) {
            for (Map.Entry<String, Path> e : initrds.entrySet()) {
                double[] s = boot(arch, g, e.getKey() + "-" + round, e.getValue());
                times.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s[0]);
                uptimes.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(s[1]);
                System.out.printf(Locale.ROOT, "round %d %-17s QEMU start to STAGE2: %.2f s (guest uptime %.2f s)%n",
                        round, e.getKey(), s[0], s[1]);
            }
        }
        double dracut = ProfileSummary.median(times.get("dracut"));
        double dracutUptime = ProfileSummary.median(uptimes.get("dracut"));
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double m = ProfileSummary.median(e.getValue());
            double u = ProfileSummary.median(uptimes.get(e.getKey()));
            System.out.printf(Locale.ROOT, "%-17s median %.2f s, ratio to dracut %.2f; guest uptime median %.2f s,"
                    + " ratio %.2f; runs %s%n", e.getKey(), m, m / dracut, u, u / dracutUptime, e.getValue());
        }
        assertTrue(times.values().stream().allMatch(l -> l.size() == runs));
    }

    /** Seconds from QEMU start to the stage-2 line, and the guest's uptime in that line. */
    private static double[] boot(Arch arch, GuestImages g, String name, Path initrd) throws IOException {
        MachineSpec spec = MachineSpec.builder(arch).name("bench-" + name).memoryMiB(512).kernel(g.kernel())
                .initrd(initrd).disk(Disk.raw(g.rootDisk(), "stage2")).append("root=LABEL=" + g.rootLabel()).build();
        try (Machine m = Machine.start(spec)) {
            ConsoleMatch s2 = m.console().waitFor(STAGE2, Duration.ofSeconds(180));
            return new double[] {s2.seconds(), Double.parseDouble(s2.group(1))};
        }
    }

    /**
     * dracut 059's systemd initrd with crypt and plymouth for the images' kernel modules, zstd -19,
     * from {@code harness/bin/dracut-initrd} (the modules and drivers are listed there).
     */
    private static Path dracut(GuestImages g) throws IOException, InterruptedException {
        Path out = Files.createDirectories(Path.of("target", "stage1-initrds")).toAbsolutePath()
                .resolve(g.arch().id() + "-dracut-plymouth.img");
        Path script = Path.of("..", "harness", "bin", "dracut-initrd").toAbsolutePath().normalize();
        List<String> cmd = List.of(script.toString(), "--arch", g.arch().id(), "--kernel-modules", g.modules().toString(),
                "--output", out.toString());
        long t0 = System.nanoTime();
        Path log = out.resolveSibling("dracut.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(900, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(script + " did not finish within 900 s; see " + log);
        }
        if (p.exitValue() != 0) throw new IOException(script + " failed with status " + p.exitValue() + "; see " + log);
        System.out.printf(Locale.ROOT, "dracut built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return out;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
