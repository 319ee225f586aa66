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
 * <p>dracut builds from the host's own root (it cannot take its binaries from a foreign
 * sysroot), so this runs for the host's arch only, and it is compared with our image both as
 * default (with plymouth) and without plymouth when the host's dracut has no plymouth.
 * {@code -Dstage1.bench.runs=N} sets the rounds (default 3).
 */
public class Stage1BenchmarkTest {
    private static final Pattern STAGE2 = Pattern.compile("STAGE2 \\{.*\"uptime\":([0-9.]+)");
    private static final List<String> DRIVERS = List.of("virtio_blk", "virtio_pci", "ext4", "dm_crypt");

    /** Our stage 1 for these options, built once per run and shared with the scenarios. */
    private static Path initrd(Arch arch, Stage1Options options, Compression compression) {
        return Stage1Initrds.get(VmImages.ensure(arch), options, compression, Path.of("target", "stage1-initrds"));
    }

    @Test(groups = "benchmark")
    public void oursAgainstDracutFromQemuStartToStage2() throws Exception {
        Arch arch = Arch.host();
        if (arch == null || !Files.isExecutable(Path.of("/usr/bin/dracut"))) {
            throw new SkipException("needs dracut installed on an x86_64 or aarch64 host (apt-get install dracut)");
        }
        int runs = Integer.getInteger("stage1.bench.runs", 3);
        GuestImages g = VmImages.ensure(arch);
        boolean hostPlymouth = Files.exists(Path.of("/usr/sbin/plymouthd"));
        Compression zstd19 = Compression.parse("zstd:19");

        Map<String, Path> initrds = new LinkedHashMap<>();
        initrds.put("ours", initrd(arch, Stage1Options.defaults(), zstd19));
        if (!hostPlymouth) {
            initrds.put("ours-no-plymouth", initrd(arch, Stage1Options.builder().plymouth(false).build(), zstd19));
        }
        initrds.put("dracut", dracut(g, hostPlymouth));
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
        double dracut = median(times.get("dracut"));
        double dracutUptime = median(uptimes.get("dracut"));
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            double m = median(e.getValue());
            double u = median(uptimes.get(e.getKey()));
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

    /** A dracut systemd initrd for the images' kernel with the same drivers, zstd -19. */
    private static Path dracut(GuestImages g, boolean plymouth) throws IOException, InterruptedException {
        Path out = Files.createDirectories(Path.of("target", "stage1-initrds")).toAbsolutePath()
                .resolve(g.arch().id() + "-dracut.img");
        List<String> cmd = new ArrayList<>(List.of("dracut", "--force", "--no-hostonly", "--no-early-microcode",
                "--reproducible", "--kver", g.kernelVersion(), "--kmoddir", g.modules().toString(),
                "-m", "systemd systemd-initrd dracut-systemd base fs-lib rootfs-block udev-rules crypt dm"
                        + (plymouth ? " plymouth" : ""),
                "--drivers", String.join(" ", DRIVERS), "--compress", "zstd -19 -T0", out.toString()));
        long t0 = System.nanoTime();
        Path log = out.resolveSibling("dracut.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("dracut did not finish within 600 s; see " + log);
        }
        if (p.exitValue() != 0) throw new IOException("dracut failed with status " + p.exitValue() + "; see " + log);
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

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
