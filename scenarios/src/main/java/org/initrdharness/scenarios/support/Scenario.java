package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.OutcomeCollector;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.Disk;
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
    private final List<Machine> machines = new ArrayList<>();

    @BeforeClass(alwaysRun = true)
    @Parameters({"arch", "release", GuestSource.REPORT_DIR, GuestSource.USER_KERNEL, GuestSource.USER_INITRD,
            GuestSource.KERNEL_ENTRY})
    public void selectArch(@Optional("x86_64") String arch, @Optional("bookworm") String release,
            @Optional("") String reportDir, @Optional("") String kernel, @Optional("") String initrd,
            @Optional("") String kernelEntry) {
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

    /** Starts the machine; it is closed after the test whatever happens, and named in reports. */
    protected Machine start(MachineSpec spec) throws IOException {
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
        for (Machine m : toClose) {
            m.close();
            if (!result.isSuccess() && result.getStatus() != ITestResult.SKIP && m.spec().artifactDir() != null
                    && Files.isDirectory(m.spec().artifactDir())) {
                String evidence = "artifacts of " + cell() + "." + result.getName()
                        + " (" + m.spec().name() + "):\n" + m.artifacts().describe();
                System.out.println(evidence);
                Reporter.log(evidence);
            }
        }
    }
}
