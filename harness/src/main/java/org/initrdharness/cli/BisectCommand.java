package org.initrdharness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.initrdharness.bisect.Delta;
import org.initrdharness.bisect.Hybrids;
import org.initrdharness.bisect.Result;
import org.initrdharness.bisect.Search;
import org.initrdharness.bisect.Step;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.stage1.Stage1Inputs;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.stage1.Stage1Sources;
import org.initrdharness.vm.Arch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code initrd-harness bisect}: the entries of a bad initrd that break a good one's boot. */
@Command(name = "bisect", mixinStandardHelpOptions = true,
        description = {"Finds the smallest set of entries (files, links, directories, modules) of the --bad initrd"
                + " that turns the --good one's boot bad: boots hybrids that take part of the differing entries"
                + " from each, halving for one culprit (the bad initrd, ceil(log2 n) boots and one more at most:"
                + " 10 for 200 entries; the good initrd is booted only when no hybrid booted good), delta debugging"
                + " when entries break the boot only together. With --good-options/--bad-options both initrds are"
                + " first built with the stage-1 builder.",
                "A boot is good when every --expect matched, bad when it failed as boot says (panic, timeout,"
                        + " a --fail pattern, a failed unit, emergency mode). A boot that disagrees with an earlier"
                        + " one is repeated; a hybrid that boots both ways ends the search as flaky.",
                "Prints each boot (the entries taken, the verdict, seconds) and the result as diff-initrd lines.",
                "Exit status: 0 found, 1 flaky or out of boots, 2 bad input (the good initrd does not boot,"
                        + " the bad one does, or nothing differs), 3 QEMU would not start."})
public final class BisectCommand implements Callable<Integer>, CliCommand {

    @Spec
    CommandSpec spec;

    @Option(names = "--good", paramLabel = "A.img", description = "an initrd whose boot is good")
    Path good;

    @Option(names = "--bad", paramLabel = "B.img", description = "an initrd whose boot is bad")
    Path bad;

    @Option(names = "--good-options", paramLabel = "A.json",
            description = "instead of --good: stage-1 options (as `stage1 --options`) whose stage 1 boots good")
    Path goodOptions;

    @Option(names = "--bad-options", paramLabel = "B.json",
            description = "instead of --bad: stage-1 options whose stage 1 boots bad; both are built with the stage-1"
                    + " builder from one sysroot, then bisected as initrds")
    Path badOptions;

    @Option(names = "--sysroot", paramLabel = "DIR",
            description = "with --good-options: the root both stage 1s are built from (default: the vm-images of --release)")
    Path sysroot;

    @Option(names = "--kernel-modules", paramLabel = "DIR",
            description = "with --sysroot: the booted kernel's <root>/lib/modules/<version>")
    Path kernelModules;

    @Option(names = "--release", paramLabel = "RELEASE", defaultValue = "bookworm",
            description = "with --good-options and no --sysroot: the vm-images release (default ${DEFAULT-VALUE})")
    String release;

    @Mixin
    BootOptions boot;

    @Option(names = "--artifacts", paramLabel = "DIR",
            description = "where each step's console log and qemu.sh go (step-NN/), and the culprits' hybrid"
                    + " (default: a new temporary directory)")
    Path artifacts;

    @Option(names = "--max-boots", paramLabel = "N", defaultValue = "60",
            description = "boots at most, the endpoints' included (default ${DEFAULT-VALUE})")
    int maxBoots;

    @Option(names = "--keep-hybrids", description = "keep each step's initrd (step-NN.img), which its qemu.sh boots;"
            + " by default only the deltas it took are kept (step-NN/taken.txt)")
    boolean keepHybrids;

    @Option(names = "--compress", paramLabel = "SPEC", defaultValue = "none",
            description = "how hybrids are compressed (as build-initrd; default ${DEFAULT-VALUE}: quickest to unpack)")
    String compress;

    @Override
    public Integer call() {
        boot.check();
        if (boot.expected().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give at least one --expect REGEX: a boot is good when"
                    + " every --expect matched");
        }
        if (maxBoots < 2 || maxBoots > 10_000) {
            throw new ParameterException(spec.commandLine(), "--max-boots " + maxBoots + ": give 2 to 10000 (the bad"
                    + " initrd and the search)");
        }
        Compression compression;
        try {
            compression = Compression.parse(compress);
        } catch (InitrdBuildException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--compress '" + compress + "': " + e.getMessage());
        }
        if (artifacts != null && (artifacts.toString().isEmpty() || Files.exists(artifacts) && !Files.isDirectory(artifacts))) {
            throw new ParameterException(spec.commandLine(), "--artifacts '" + artifacts + "' is not a directory;"
                    + " give one (it is created) or leave it out for a new temporary one");
        }
        checkSources();
        // the kernel and disks exist: refused before anything is read
        Arch arch = boot.machineSpec("bisect", null, null).arch();
        Path dir = null;
        if (goodOptions != null) {
            Stage1Options go = options("--good-options", goodOptions);
            Stage1Options bo = options("--bad-options", badOptions);
            try {
                dir = artifactDir();
                Recipes built = Recipes.build(arch, go, bo, inputs(arch), dir);
                good = built.good();
                bad = built.bad();
                spec.commandLine().getOut().printf(Locale.ROOT, "bisect: built the stage 1 of %s as %s and of %s as %s"
                        + " from %s in %.1f s%n", goodOptions, good, badOptions, bad, built.inputs().sysroot(), built.seconds());
            } catch (IOException | InitrdBuildException e) {
                return Failures.report(spec, "cannot build the stage 1s of --good-options " + goodOptions
                        + " and --bad-options " + badOptions, e);
            }
        }
        InitrdReader.Contents a;
        InitrdReader.Contents b;
        try {
            a = read("--good", good);
            b = read("--bad", bad);
        } catch (Refused r) {
            return r.status;
        }
        InitrdDiff diff = InitrdDiff.of(a, b);
        if (diff.isEmpty()) {
            return Failures.report(spec, new IllegalArgumentException(good + " and " + bad + " hold the same entries"
                    + " (diff-initrd finds no difference): nothing to bisect"));
        }
        List<Delta> deltas = Delta.of(diff);
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (dir == null) dir = artifactDir();
        } catch (IOException e) {
            return Failures.report(spec, "cannot create the artifact directory", e);
        }
        HybridBoots boots = new HybridBoots(new Hybrids(a, b, deltas), boot, compression, dir, keepHybrids);
        out.printf(Locale.ROOT, "bisect: %d deltas from %s to %s: %d added, %d removed, %d changed (%d entries the same)%n",
                deltas.size(), good, bad, diff.added().size(), diff.removed().size(), diff.changed().size(), diff.unchanged());
        out.println("bisect: every boot, the endpoints' too, is of a hybrid rewritten as one newc archive ("
                + compression + ", owner 0:0); artifacts in " + dir);
        out.flush();
        long start = System.nanoTime();
        Result result;
        try {
            result = new Search(deltas.size(), boots, new Printer(out, deltas), maxBoots,
                    i -> deltas.get(i).sign() + " " + Failures.escaped(deltas.get(i).path())).run();
        } catch (HybridBoots.QemuDidNotStart e) {
            out.flush();
            System.err.println("bisect: QEMU did not start: " + e.getMessage());
            return 3;
        } catch (IOException | InitrdBuildException e) {
            return Failures.report(spec, "cannot write a hybrid initrd", e);
        }
        if (!boots.leftOut.isEmpty()) {
            out.println("bisect: left out of every hybrid (a plan holds no sockets or FIFOs): " + boots.leftOut);
        }
        return report(result, deltas, boots, dir, (System.nanoTime() - start) / 1e9);
    }

    private int report(Result r, List<Delta> deltas, HybridBoots boots, Path dir, double seconds) {
        PrintWriter out = spec.commandLine().getOut();
        String summary = String.format(Locale.ROOT, "%d boots (%d for the endpoints, %d to bisect), %.1f s",
                r.steps().size(), r.endpointBoots(), r.searchBoots(), seconds);
        switch (r.outcome()) {
            case FOUND -> {
                out.println("bisect: found " + (r.culprits().size() == 1 ? "the delta" : r.culprits().size()
                        + " deltas that break the boot only together") + " in " + summary + ":");
                for (int i : r.culprits()) out.println(deltas.get(i).line());
                SortedSet<Integer> extra = new TreeSet<>(r.taken());
                extra.removeAll(r.culprits());
                if (!extra.isEmpty()) {
                    out.println("bisect: its hybrid also takes, to keep the tree whole:");
                    for (int i : extra) out.println(deltas.get(i).line());
                }
                Path hybrid = dir.resolve("good-with-culprits.img");
                try {
                    boots.write(r.taken(), hybrid);
                    out.println("bisect: the good initrd with only these: " + hybrid);
                } catch (IOException | RuntimeException e) {
                    out.println("bisect: could not write " + hybrid + ": " + Failures.why(e));
                }
                out.flush();
                return 0;
            }
            case GOOD_FAILS, BAD_BOOTS -> {
                out.flush();
                Step s = r.steps().get(r.steps().size() - 1);
                boolean goodFails = r.outcome() == Result.Outcome.GOOD_FAILS;
                return Failures.report(spec, new IllegalArgumentException((goodFails
                        ? "the --good initrd " + good + " does not boot good: " + s.verdict().reason()
                        : "the --bad initrd " + bad + " boots good (" + s.verdict().reason() + ")")
                        + "; nothing to bisect\nsee " + s.verdict().artifacts().resolve("console.log")
                        + (goodFails ? "; check the --expect and --fail patterns" : "; is the failure flaky, or does"
                        + " another --expect show it?")));
            }
            case FLAKY -> {
                out.println("bisect: FLAKY after " + summary + ": one hybrid booted both good and bad; no result."
                        + " Its " + r.culprits().size() + " deltas" + (r.culprits().size() <= 5 ? ":" : " start with:"));
                r.culprits().stream().limit(5).forEach(i -> out.println(deltas.get(i).line()));
                out.flush();
                return 1;
            }
            case OUT_OF_BOOTS -> {
                out.println("bisect: out of boots (--max-boots " + maxBoots + ") after " + summary + "; the smallest"
                        + " set that booted bad has " + r.culprits().size() + " deltas:");
                r.culprits().forEach(i -> out.println(deltas.get(i).line()));
                out.flush();
                return 1;
            }
            default -> throw new AssertionError(r.outcome());
        }
    }

    /** Prints each step as it ends. */
    private static final class Printer implements Search.Listener {
        private final PrintWriter out;
        private final List<Delta> deltas;

        Printer(PrintWriter out, List<Delta> deltas) {
            this.out = out;
            this.deltas = deltas;
        }

        @Override
        public void step(Step s) {
            out.printf(Locale.ROOT, "bisect: step %d: %s: %d delta%s%s%s: %s, %s (%.1f s)%n", s.number(), s.why(),
                    s.requested().size(), s.requested().size() == 1 ? "" : "s", s.taken().size() > s.requested().size()
                            ? " (+" + (s.taken().size() - s.requested().size()) + " parents)" : "",
                    entries(s.taken()), s.verdict().word().toUpperCase(Locale.ROOT), s.verdict().reason(),
                    s.verdict().seconds());
            out.flush();
        }

        @Override
        public void note(String note) {
            out.println("bisect: " + note);
            out.flush();
        }

        /** The entries a step takes, by path: all of a few, the first and last of many. */
        private String entries(SortedSet<Integer> taken) {
            if (taken.isEmpty() || taken.size() == deltas.size()) return "";
            if (taken.size() <= 3) {
                StringBuilder b = new StringBuilder(" [");
                for (int i : taken) b.append(b.length() > 2 ? ", " : "").append(deltas.get(i).sign()).append(' ')
                        .append(Failures.escaped(deltas.get(i).path()));
                return b.append(']').toString();
            }
            return " [" + Failures.escaped(deltas.get(taken.first()).path()) + " .. "
                    + Failures.escaped(deltas.get(taken.last()).path()) + "]";
        }
    }

    private Path artifactDir() throws IOException {
        return artifacts != null ? Files.createDirectories(artifacts) : Files.createTempDirectory("initrd-harness-bisect-");
    }

    /** Two initrds, or two recipes with what they are built from: refused before anything is read. */
    private void checkSources() {
        boolean images = good != null || bad != null;
        boolean recipes = goodOptions != null || badOptions != null;
        if (images == recipes) {
            throw new ParameterException(spec.commandLine(), (images ? "give either --good/--bad or --good-options/--bad-options, not both"
                    : "give --good A.img and --bad B.img, or --good-options A.json and --bad-options B.json"));
        }
        if (images && (good == null || bad == null)) {
            throw new ParameterException(spec.commandLine(), "give both --good A.img and --bad B.img");
        }
        if (recipes && (goodOptions == null || badOptions == null)) {
            throw new ParameterException(spec.commandLine(), "give both --good-options A.json and --bad-options B.json");
        }
        boolean release = spec.commandLine().getParseResult().hasMatchedOption("--release");
        if (images && (sysroot != null || kernelModules != null || release)) {
            throw new ParameterException(spec.commandLine(), "--sysroot, --kernel-modules and --release build stage 1s:"
                    + " they go with --good-options/--bad-options, not --good/--bad");
        }
        if ((sysroot == null) != (kernelModules == null)) {
            throw new ParameterException(spec.commandLine(), "give --sysroot DIR and --kernel-modules DIR together");
        }
        if (sysroot != null && release) {
            throw new ParameterException(spec.commandLine(), "--release names the images' release; with --sysroot the sysroot decides");
        }
        if (sysroot != null && !Files.isDirectory(sysroot)) {
            throw new ParameterException(spec.commandLine(), "--sysroot " + sysroot + " is not a directory");
        }
        if (kernelModules != null && !Files.isDirectory(kernelModules)) {
            throw new ParameterException(spec.commandLine(), "--kernel-modules " + kernelModules + " is not a directory");
        }
    }

    private Stage1Options options(String option, Path file) {
        try {
            return Stage1Options.read(file);
        } catch (IOException | RuntimeException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": " + Failures.why(e));
        }
    }

    private Stage1Inputs inputs(Arch arch) throws IOException {
        if (sysroot != null) return new Stage1Inputs(arch, sysroot, kernelModules);
        Stage1Sources images = Stage1Sources.find().orElseThrow(() -> new ParameterException(spec.commandLine(),
                "--good-options needs --sysroot DIR and --kernel-modules DIR here: no vm-images on the class path"));
        return images.inputs(arch, release);
    }

    private InitrdReader.Contents read(String option, Path file) {
        try {
            return InitrdReader.read(file);
        } catch (InitrdBuildException e) {
            throw new Refused(Failures.report(spec, e));
        } catch (IOException | RuntimeException e) {
            throw new Refused(Failures.report(spec, "cannot read " + option + " " + file, e));
        }
    }

    /** A file refused, its line already printed. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
