package org.initrdharness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.milestones.Milestone;
import org.initrdharness.report.profile.Phase;
import org.initrdharness.report.profile.ProfileSummary;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.stage1.Stage1Assembler;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code profile}: boots initrds N times each, alternating, and prints the median time of every
 * milestone and stage-1 unit side by side. In vm-images because its default kernel, disk and
 * initrd (the harness's own stage 1) come from the guest images.
 */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = {"Boots each initrd --runs times to stage 2, one guest at a time, alternating between them,"
                + " and prints per milestone and per stage-1 unit the median over the runs, side by side.",
                "By default it boots the harness's own stage 1 with the images' kernel and root disk"
                        + " (root=LABEL=stage2root); add others with --initrd NAME=FILE (a dracut initrd, say).",
                "Each boot's console log and stage1-profile.txt stay under --artifacts."})
public final class ProfileCommand implements Callable<Integer>, CliCommand {

    @Option(names = "--arch", defaultValue = "x86_64", description = "x86_64 or aarch64 (default ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--release", defaultValue = "bookworm",
            description = "the Debian release of the images' kernel, disk and our stage 1 (default ${DEFAULT-VALUE})")
    String release;

    @Option(names = "--runs", defaultValue = "3", description = "boots of each initrd and entry (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--initrd", paramLabel = "NAME=FILE", description = "another initrd to profile beside ours; repeat for more")
    List<String> initrds = new ArrayList<>();

    @Option(names = "--no-ours", description = "leave out the harness's own stage 1")
    boolean noOurs;

    @Option(names = "--kernel", paramLabel = "FILE", description = "kernel (default: the images' kernel of the arch)")
    Path kernel;

    @Option(names = "--disk", paramLabel = "FILE", description = "root disk, booted through an overlay (default: the images' stage-2 disk)")
    Path disk;

    @Option(names = "--append", paramLabel = "ARGS", description = "kernel command line after the defaults (default: root=LABEL=stage2root)")
    String append;

    @Option(names = "--kernel-entry", paramLabel = "pvh|bzimage",
            description = "x86_64 kernel entry; repeat both to compare them (default: pvh when the kernel has it)")
    List<String> entries = new ArrayList<>();

    @Option(names = "--stage2", paramLabel = "REGEX", description = "the console line that marks stage 2 (default: the images' STAGE2 line)")
    String stage2;

    @Option(names = "--compress", paramLabel = "FORMAT[:LEVEL]", defaultValue = "zstd",
            description = "compression of our stage 1 (default ${DEFAULT-VALUE})")
    String compress;

    @Option(names = "--memory", paramLabel = "MiB", defaultValue = "512", description = "guest memory (default ${DEFAULT-VALUE})")
    int memory;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "deadline of each boot, written for TCG and scaled (default ${DEFAULT-VALUE})")
    double timeout;

    @Option(names = "--artifacts", paramLabel = "DIR", defaultValue = "target/profile",
            description = "where each boot's evidence goes (default ${DEFAULT-VALUE})")
    Path artifacts;

    @Option(names = "--json", paramLabel = "FILE", description = "write every boot's profile and the medians as JSON")
    Path json;

    @Spec
    CommandSpec spec;

    /** One column of the comparison: an initrd booted through one kernel entry. */
    record Variant(String name, Path initrd, KernelEntry entry) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Arch a = Arch.parse(arch);
            if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1, not " + runs);
            Pattern marker = stage2 == null ? Stage1Profile.STAGE2_MARKER : Pattern.compile(stage2);
            GuestImages images = kernel == null || disk == null || !noOurs ? VmImages.ensure(a, Release.parse(release)) : null;
            Path k = kernel != null ? kernel : images.kernel();
            Path d = disk != null ? disk : images.rootDisk();
            String cmdline = append != null ? append : "root=LABEL=" + (images != null ? images.rootLabel() : "stage2root");
            List<Variant> variants = variants(a, images);
            Map<String, List<Stage1Profile>> profiles = new LinkedHashMap<>();
            Map<String, List<Map<String, Object>>> boots = new LinkedHashMap<>();
            Map<String, OwnTimes> own = new LinkedHashMap<>();
            for (Variant v : variants) {
                own.put(v.name(), new OwnTimes());
                profiles.put(v.name(), new ArrayList<>());
                boots.put(v.name(), new ArrayList<>());
            }
            // Alternate: run 1 of every variant, then run 2..., so a machine that gets busier hurts all alike.
            for (int run = 1; run <= runs; run++) {
                for (Variant v : variants) {
                    Path dir = artifacts.resolve(v.name().replace('/', '-')).resolve("run-" + run);
                    MachineSpec.Builder b = MachineSpec.builder(a).name("profile-" + v.name().replace('/', '-'))
                            .kernel(k).initrd(v.initrd()).memoryMiB(memory).artifactDir(dir)
                            .disk(Disk.raw(d, "root").asReadOnly()).append(cmdline).kernelEntry(v.entry());
                    String verdict = boot(b.build(), marker);
                    Path log = dir.resolve("console.log");
                    Stage1Profile p = Files.isRegularFile(log) ? Stage1Profile.read(log, marker, List.of())
                            : Stage1Profile.parse(List.of(), marker, List.of());
                    Double s2 = p.phases().get(Phase.STAGE2);
                    BootMilestones ms = BootMilestones.load(dir).orElse(null);
                    Double ownInit = ms == null ? null : ms.ownSpan(Milestone.INIT, Milestone.STAGE2);
                    Double ownAll = ms == null ? null : ms.ownSpan(Milestone.QEMU_START, Milestone.STAGE2);
                    out.printf(Locale.ROOT, "profile: %-22s run %d: %s; stage 2 at %s s, /init -> stage 2 %s s;"
                            + " own (less the wait for a host CPU): %s s, %s s%n", v.name(), run,
                            verdict, fmt(s2), fmt(p.spans().get("init-to-stage2")), fmt(ownAll), fmt(ownInit));
                    if (verdict.equals("ok")) own.get(v.name()).add(ownAll, ownInit);
                    out.flush();
                    if (verdict.equals("ok")) profiles.get(v.name()).add(p);
                    Map<String, Object> boot = new LinkedHashMap<>();
                    boot.put("run", run);
                    boot.put("verdict", verdict);
                    boot.put("artifacts", dir.toAbsolutePath().toString());
                    boot.putAll(p.toJson());
                    boots.get(v.name()).add(boot);
                }
            }
            Map<String, ProfileSummary> summaries = new LinkedHashMap<>();
            profiles.forEach((n, ps) -> summaries.put(n, ProfileSummary.of(ps)));
            out.println();
            out.print(ProfileSummary.sideBySide(summaries));
            out.println();
            out.println("own seconds, median (less the guest's wait for a host CPU: compares across a busy machine)");
            own.forEach((n, o) -> out.printf(Locale.ROOT, "  %-22s QEMU start -> stage 2 %s s, /init -> stage 2 %s s (%d boots)%n",
                    n, fmt(ProfileSummary.median(o.toStage2)), fmt(ProfileSummary.median(o.initToStage2)), o.toStage2.size()));
            out.flush();
            if (json != null) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("arch", a.id());
                doc.put("kernel", k.toAbsolutePath().toString());
                doc.put("runs", runs);
                Map<String, Object> vs = new LinkedHashMap<>();
                for (Variant v : variants) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("initrd", v.initrd().toAbsolutePath().toString());
                    m.put("kernelEntry", v.entry() == null ? "default" : v.entry().id());
                    m.put("median", summaries.get(v.name()).toJson());
                    m.put("ownMedian", own.get(v.name()).toJson());
                    m.put("boots", boots.get(v.name()));
                    vs.put(v.name(), m);
                }
                doc.put("variants", vs);
                AtomicFiles.write(json.toAbsolutePath(),
                        o -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o, doc));
                out.println("profile: written to " + json);
            }
            boolean anyFailed = boots.values().stream().flatMap(List::stream).anyMatch(b -> !"ok".equals(b.get("verdict")));
            return anyFailed ? 1 : 0;
        } catch (Exception e) {
            return Failures.report(spec, "cannot profile the " + arch + " boots", e);
        }
    }

    /** Every initrd × every entry asked for; ours first. */
    private List<Variant> variants(Arch a, GuestImages images) throws IOException {
        Map<String, Path> named = new LinkedHashMap<>();
        if (!noOurs) named.put("ours", ourStage1(a, images));
        for (String i : initrds) {
            int eq = i.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--initrd '" + i + "' is not NAME=FILE (dracut=/boot/initrd.img, say)");
            Path f = Path.of(i.substring(eq + 1));
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException("--initrd " + i + ": no such file " + f);
            if (named.put(i.substring(0, eq), f) != null) throw new IllegalArgumentException("--initrd: the name " + i.substring(0, eq) + " is given twice");
        }
        if (named.isEmpty()) throw new IllegalArgumentException("nothing to boot: give --initrd NAME=FILE or leave out --no-ours");
        List<KernelEntry> es = new ArrayList<>();
        for (String e : entries) es.add(KernelEntry.parse(e));
        List<Variant> out = new ArrayList<>();
        named.forEach((n, f) -> {
            if (es.isEmpty()) out.add(new Variant(n, f, null));
            for (KernelEntry e : es) out.add(new Variant(es.size() > 1 ? n + "/" + e.id() : n, f, e));
        });
        return out;
    }

    private Path ourStage1(Arch a, GuestImages images) throws IOException {
        Path file = Files.createDirectories(artifacts).resolve("ours-" + release + "-" + a.id() + ".initrd");
        InitrdWriter.write(Stage1Assembler.build(a, Stage1Options.defaults(), images.sysroot(), images.modules()).plan(),
                Compression.parse(compress), List.of(), file);
        return file;
    }

    /** Each boot's own seconds to stage 2, from QEMU start and from /init, where the host's wait was sampled. */
    static final class OwnTimes {
        final List<Double> toStage2 = new ArrayList<>();
        final List<Double> initToStage2 = new ArrayList<>();

        void add(Double all, Double fromInit) {
            if (all != null) toStage2.add(all);
            if (fromInit != null) initToStage2.add(fromInit);
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("qemu-to-stage2", ProfileSummary.median(toStage2));
            m.put("init-to-stage2", ProfileSummary.median(initToStage2));
            return m;
        }
    }

    /** "ok", or why the boot did not reach stage 2. */
    private String boot(MachineSpec s, Pattern marker) {
        try (Machine m = new Machine(s)) {
            m.start();
            m.console().waitFor(marker, m.timeouts().deadline(Duration.ofMillis((long) (timeout * 1000))));
            return "ok";
        } catch (BootFailure f) {
            return "FAILED: " + f.getMessage().lines().findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            return "FAILED: " + e.getMessage();
        }
    }

    private static String fmt(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
