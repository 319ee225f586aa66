package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.replay.Bundle;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.OutcomeCollector;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.KernelArgs;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.testng.ITestResult;
import org.testng.Reporter;
import org.testng.SkipException;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Optional;
import org.testng.annotations.Parameters;

/**
 * What every scenario stands on: the arch it runs for (a suite parameter, so each report names
 * it), the guest images of that arch, the harness's own stage 1 or the user's initrd, and
 * machines whose artifacts land in one directory per test and are reported when it fails.
 */
public abstract class Scenario {
    private static final Map<String, GuestImages> IMAGES = new ConcurrentHashMap<>();

    protected Arch arch;
    protected Release release;
    private Path reportDir;
    private Path userKernel;
    private Path userInitrd;
    private KernelEntry kernelEntry;
    private BundleMode bundles = BundleMode.FAILED;
    private String userAppend = "";
    private final List<Machine> machines = new ArrayList<>();
    private final List<Path> scratchDirs = new ArrayList<>();

    @BeforeClass(alwaysRun = true)
    @Parameters({"arch", "release", GuestSource.REPORT_DIR, GuestSource.USER_KERNEL, GuestSource.USER_INITRD,
            GuestSource.KERNEL_ENTRY, GuestSource.BUNDLES, GuestSource.APPEND})
    public void selectArch(@Optional("x86_64") String arch, @Optional("bookworm") String release,
            @Optional("") String reportDir, @Optional("") String kernel, @Optional("") String initrd,
            @Optional("") String kernelEntry, @Optional("") String bundles, @Optional("") String append) {
        this.userAppend = append.isBlank() ? "" : KernelArgs.check(append);
        this.bundles = BundleMode.parse(bundles);
        this.arch = Arch.parse(arch);
        this.release = Release.parse(release);
        this.reportDir = Path.of(reportDir.isEmpty() ? "target/boots" : reportDir).toAbsolutePath();
        this.userKernel = kernel.isEmpty() ? null : Path.of(kernel);
        this.userInitrd = initrd.isEmpty() ? null : Path.of(initrd);
        this.kernelEntry = kernelEntry.isEmpty() ? null : KernelEntry.parse(kernelEntry);
    }

    /** The guest images of this release and arch, built on first use and shared by every scenario. */
    protected GuestImages images() {
        return IMAGES.computeIfAbsent(release + "/" + arch, k -> VmImages.ensure(arch, release));
    }

    /**
     * The major version of the sysroot's systemd (252, 257): where releases behave differently,
     * a scenario states both behaviours keyed by it.
     */
    protected int systemdVersion() {
        return Integer.parseInt(images().systemdVersion());
    }

    /** "SwitchRootScenario[trixie/x86_64]": how messages name this cell. */
    protected String cell() {
        return getClass().getSimpleName() + "[" + MatrixCell.column(release.id(), arch.id()) + "]";
    }

    /** Where this run's boots, initrds and reports go: scans for leaked secrets look here. */
    protected Path reportDir() {
        return reportDir;
    }

    /** True when the user brought their own kernel and initrd. */
    protected boolean bringsOwnInitrd() {
        return userInitrd != null;
    }

    /**
     * The harness's own stage 1 with these options. A scenario that needs it is skipped, with
     * the reason, when the run boots the user's initrd.
     */
    protected Path stage1(Stage1Options options) {
        if (bringsOwnInitrd()) {
            throw new SkipException(getClass().getSimpleName() + " needs the harness's own stage 1 (its options "
                    + "cannot be applied to " + userInitrd + "); it runs without --initrd");
        }
        return Stage1Initrds.get(images(), options, reportDir.resolve("initrds"));
    }

    /** The initrd for scenarios that rely only on kernel command-line conventions. */
    protected Path conventionalInitrd() {
        return bringsOwnInitrd() ? userInitrd : stage1(Stage1Options.defaults());
    }

    protected Path kernel() {
        return userKernel != null ? userKernel : images().kernel();
    }

    /** The stage-2 root disk as the first virtio disk (vda), serial "root". */
    protected Disk rootDisk() {
        return Disk.raw(images().rootDisk(), "root");
    }

    /** root= naming the stage-2 disk by its label. */
    protected static String rootByLabel() {
        return "root=LABEL=" + Stage2.LABEL;
    }

    /**
     * A machine of this arch named after the test, with this run's kernel and its artifacts in
     * {@code <report dir>/<Scenario>/<release>/<arch>/<name>}. Add disks, initrd and command line.
     */
    protected MachineSpec.Builder machine(String name) {
        Path dir = reportDir.resolve(getClass().getSimpleName()).resolve(release.id()).resolve(arch.id()).resolve(name);
        return MachineSpec.builder(arch).name(name).kernel(kernel()).memoryMiB(512).artifactDir(dir)
                .kernelEntry(kernelEntry);
    }

    /**
     * A fresh directory for disks this test makes (a LUKS copy with its own passphrase), beside
     * its boots' artifacts. It outlives the test when the test fails, so that its boots replay
     * and bundle; it is removed when the test passes.
     */
    protected Path scratchDir(String name) throws IOException {
        Path dir = reportDir.resolve(getClass().getSimpleName()).resolve(release.id()).resolve(arch.id())
                .resolve("scratch-" + name);
        deleteTree(dir);
        Files.createDirectories(dir);
        synchronized (scratchDirs) {
            scratchDirs.add(dir);
        }
        return dir;
    }

    /**
     * Starts the machine; it is closed after the test whatever happens, and named in reports.
     * The run's own kernel arguments ({@code matrix --append}) go last, so that where the kernel
     * or systemd take the last of a repeated argument ({@code init=}), the user's wins.
     */
    protected Machine start(MachineSpec spec) throws IOException {
        if (!userAppend.isEmpty()) spec = spec.toBuilder().append(userAppend).build();
        Machine m = new Machine(spec);
        synchronized (machines) {
            machines.add(m);
        }
        ITestResult r = Reporter.getCurrentTestResult();
        if (r != null && spec.artifactDir() != null) r.setAttribute(OutcomeCollector.ARTIFACTS, spec.artifactDir().toString());
        return m.start();
    }

    /** Waits for the stage-2 line with a deadline suited to a whole systemd stage 1 under TCG. */
    protected Stage2Report awaitStage2(Machine m) {
        return Stage2Report.await(m.console(), Duration.ofSeconds(150)); // console waits scale by themselves
    }

    @AfterMethod(alwaysRun = true)
    public void closeMachines(ITestResult result) throws IOException {
        List<Machine> toClose;
        synchronized (machines) {
            toClose = new ArrayList<>(machines);
            machines.clear();
        }
        boolean failed = !result.isSuccess() && result.getStatus() != ITestResult.SKIP;
        for (Machine m : toClose) {
            m.close();
            Path dir = m.spec().artifactDir();
            if (dir == null || !Files.isDirectory(dir)) continue;
            String bundle = bundles.packs(failed) ? bundle(m) : "";
            if (failed) {
                String evidence = "artifacts of " + cell() + "." + result.getName()
                        + " (" + m.spec().name() + "):\n" + m.artifacts().describe() + bundle;
                System.out.println(evidence);
                Reporter.log(evidence);
            }
        }
        List<Path> scratch;
        synchronized (scratchDirs) {
            scratch = new ArrayList<>(scratchDirs);
            scratchDirs.clear();
        }
        for (Path dir : scratch) {
            if (failed) {
                System.out.println("scratch disks of " + cell() + "." + result.getName() + " kept in " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    /** Packs the machine's boot beside its artifact directory; a bundle that cannot be written is reported, not fatal. */
    private static String bundle(Machine m) {
        Path dir = m.spec().artifactDir();
        Path file = dir.resolveSibling(dir.getFileName() + ".tar.zst");
        try {
            Bundle.Summary s = Bundle.write(dir, file, CacheDirectory.root());
            return "\nbundle:      " + file + " (" + s.bytes() / 1024 / 1024 + " MiB; initrd-harness repro " + file + ")";
        } catch (IOException | RuntimeException e) {
            return "\nbundle:      not written: " + e.getMessage();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
