package org.initrdharness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.regex.Pattern;
import org.initrdharness.bisect.Hybrids;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.bisect.Search;
import org.initrdharness.bisect.Verdict;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Deadline;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.console.Console;

/**
 * Boots for {@code bisect}: writes the hybrid a step asks for into the artifact directory
 * ({@code step-NN.img}, removed after its boot unless kept), boots it as {@code boot} would with
 * the same options, and calls it good when every --expect matched. The step's console log,
 * qemu.sh and the deltas it took ({@code taken.txt}, as diff-initrd lines) stay in
 * {@code step-NN/}.
 */
final class HybridBoots implements Search.Trials {
    private final Hybrids hybrids;
    private final BootOptions boot;
    private final Compression compression;
    private final Path dir;
    private final boolean keep;
    /** Sockets and FIFOs a plan cannot hold, reported once. */
    final List<String> leftOut = new ArrayList<>();

    HybridBoots(Hybrids hybrids, BootOptions boot, Compression compression, Path dir, boolean keep) {
        this.keep = keep;
        this.hybrids = hybrids;
        this.boot = boot;
        this.compression = compression;
        this.dir = dir;
    }

    @Override
    public SortedSet<Integer> effective(SortedSet<Integer> requested) {
        return hybrids.effective(requested);
    }

    /** Writes the hybrid taking {@code taken} to {@code file} (temporary file, then renamed). */
    void write(SortedSet<Integer> taken, Path file) throws IOException {
        List<String> left = new ArrayList<>();
        InitrdWriter.write(hybrids.plan(taken, left), compression, List.of(), file);
        if (leftOut.isEmpty()) leftOut.addAll(left);
    }

    @Override
    public Verdict boot(int number, SortedSet<Integer> taken, String why) throws IOException {
        long start = System.nanoTime();
        String name = String.format(Locale.ROOT, "step-%02d", number);
        Path initrd = dir.resolve(name + ".img");
        Path artifacts = dir.resolve(name);
        write(taken, initrd);
        Files.createDirectories(artifacts);
        StringBuilder lines = new StringBuilder();
        for (int i : taken) lines.append(hybrids.deltas().get(i).line()).append('\n');
        AtomicFiles.write(artifacts.resolve("taken.txt"), lines.toString());
        try (Machine m = new Machine(boot.machineSpec("bisect", initrd, artifacts))) {
            try {
                m.start();
            } catch (IOException | IllegalArgumentException e) {
                throw new QemuDidNotStart(e);
            }
            Console console = m.console();
            boot.arm(console);
            List<Pattern> expected = boot.expected();
            Deadline deadline = boot.deadline(m);
            try {
                for (Pattern p : expected) console.waitFor(p, deadline);
            } catch (BootFailure f) {
                return new Verdict(true, firstLine(f.getMessage()), seconds(start), artifacts);
            }
            return new Verdict(false, "all " + expected.size() + " --expect matched", seconds(start), artifacts);
        } finally {
            if (!keep) Files.deleteIfExists(initrd);
        }
    }

    /** QEMU would not start: no verdict, the bisection ends (exit status 3, as for boot). */
    static final class QemuDidNotStart extends IOException {
        QemuDidNotStart(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * The failure's first line without the console lines after it, the machine and time (the
     * step says those) and the kernel's timestamp, cut to a readable length.
     */
    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        line = line.replaceFirst(" \\([^()]*, [0-9.]+ s\\)$", "").replaceFirst("'\\[ *[0-9]+\\.[0-9]+\\] ", "'");
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
