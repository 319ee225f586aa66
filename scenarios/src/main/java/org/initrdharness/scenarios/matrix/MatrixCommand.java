package org.initrdharness.scenarios.matrix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.initrdharness.cli.CliCommand;
import org.initrdharness.images.Release;
import org.initrdharness.scenarios.ScenarioCatalog;
import org.initrdharness.scenarios.matrix.budget.RegressionCheck;
import org.initrdharness.scenarios.matrix.history.CellHistory;
import org.initrdharness.scenarios.matrix.history.History;
import org.initrdharness.scenarios.matrix.retry.Attempts;
import org.initrdharness.scenarios.matrix.retry.Retries;
import org.initrdharness.scenarios.support.BundleMode;
import org.initrdharness.scenarios.support.GuestSource;
import org.initrdharness.scenarios.support.RunSecrets;
import org.initrdharness.scenarios.support.Secret;
import org.initrdharness.scenarios.support.SecretScan;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.HostSpeed;
import org.initrdharness.vm.KernelArgs;
import org.initrdharness.vm.KernelEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code initrd-harness matrix}: the boot matrix, scenario × release × arch, sharded and in parallel. */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Runs the boot scenarios on each release and arch and prints a scenario x (release, arch) summary.",
                "Exit status: 0 when nothing failed, 1 when a test failed, every test was skipped (except with --initrd),",
                "a secret (typed passphrase, key file, private key) is in the reports, (with --fail-on-regression)",
                "a boot regressed or (with --fail-on-flaky) a test was flaky, 2 on bad options."})
public final class MatrixCommand implements CliCommand, Callable<Integer> {

    @Option(names = "--arch", paramLabel = "ARCH", description = "x86_64 or aarch64; repeat for both (default: both)")
    List<String> arches = new ArrayList<>();

    @Option(names = "--release", paramLabel = "RELEASE",
            description = "bookworm (systemd 252) or trixie (systemd 257); repeat for both"
                    + " (default: the suite's: smoke bookworm, nightly both)")
    List<String> releases = new ArrayList<>();

    @Option(names = "--suite", defaultValue = "nightly", description = "smoke or nightly (default: ${DEFAULT-VALUE})")
    String suite;

    @Option(names = "--shard", defaultValue = "1/1", paramLabel = "I/N",
            description = "run shard I of N (cells sorted by name, dealt round-robin)")
    String shard;

    @Option(names = "--parallel", paramLabel = "N", description = "guests at once (default: the number of cores)")
    Integer parallel;

    @Option(names = "--json", paramLabel = "FILE", description = "write every result as JSON")
    Path json;

    @Option(names = "--report-dir", paramLabel = "DIR", defaultValue = "target/matrix",
            description = "where boots leave their artifacts and TestNG/JUnit XML reports go (default: ${DEFAULT-VALUE})")
    Path reportDir;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "boot your own kernel (with --initrd): scenarios that need the harness's stage 1 are skipped")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE", description = "boot your own initrd (dracut, mkinitcpio, NixOS...)")
    Path initrd;

    @Option(names = "--scenario", paramLabel = "NAME",
            description = "only this scenario class (SwitchRootScenario) or test (SwitchRootScenario.rootByUuidReachesStage2); repeat for more")
    List<String> scenarios = new ArrayList<>();

    @Option(names = "--kernel-entry", paramLabel = "pvh|bzimage",
            description = "how x86_64 kernels are entered (default: pvh when the kernel has the note)")
    String kernelEntry;

    @Option(names = "--bundles", paramLabel = "always|failed|never", defaultValue = "failed",
            description = "pack boots into <artifact dir>.tar.zst for `repro` on another machine (default: ${DEFAULT-VALUE})")
    String bundles;

    @Option(names = "--append", paramLabel = "ARGS",
            description = "kernel arguments added, last, to every boot of the run (e.g. \"systemd.log_level=debug\");"
                    + " recorded in each boot's inputs.json and qemu.sh")
    String append;

    @Option(names = "--list", description = "print the cells this shard would run, and exit")
    boolean list;

    @Option(names = "--baseline", paramLabel = "FILE",
            description = "a previous run's --json: a time to stage 2 or to the prompt slower than there by more than the"
                    + " noise margin (own times, less the guest's wait for a host CPU, where both runs measured it),"
                    + " or a bigger initrd, is reported as a regression")
    Path baseline;

    @Option(names = "--budgets", paramLabel = "FILE", description = "budgets to check instead of the checked-in ones")
    Path budgets;

    @Option(names = "--fail-on-regression", description = "exit 1 when a boot is over its budget or slower than the baseline")
    boolean failOnRegression;

    @Option(names = "--retries", paramLabel = "N",
            description = "boot a failed test up to N more times, each in a fresh guest; failed then passed is FLAKY"
                    + " (default: 1 in the nightly suite, 0 in smoke)")
    Integer retries;

    @Option(names = "--fail-on-flaky", description = "exit 1 when a test was flaky (failed, then passed on a retry)")
    boolean failOnFlaky;

    @Option(names = "--history", paramLabel = "DIR",
            description = "keep this run's cell verdicts in DIR with the previous runs', and report per cell since when it"
                    + " fails and how often it was flaky")
    Path history;

    @Option(names = "--history-keep", paramLabel = "N", defaultValue = "" + History.DEFAULT_KEEP,
            description = "runs kept in --history (default: ${DEFAULT-VALUE})")
    int historyKeep;

    @Override
    public Integer call() throws Exception {
        Selection sel;
        try {
            sel = Selection.parse(suite, releases, arches);
        } catch (IllegalArgumentException e) {
            System.err.println("matrix: " + e.getMessage());
            return 2;
        }
        Suite s = sel.suite();
        List<Arch> archList = sel.arches();
        List<Release> releaseList = sel.releases();
        Shard sh = Shard.parse(shard);
        if ((kernel == null) != (initrd == null)) {
            System.err.println("matrix: --kernel and --initrd go together: give both to boot your own, or neither");
            return 2;
        }
        for (Path p : new Path[] {kernel, initrd}) {
            if (p != null && !Files.isReadable(p)) {
                System.err.println("matrix: cannot read " + p + ": check the path");
                return 2;
            }
        }
        if (refused("--kernel-entry: ", () -> { if (kernelEntry != null) KernelEntry.parse(kernelEntry); })
                || refused("--", () -> BundleMode.parse(bundles))
                || refused("--append ", () -> { if (append != null) KernelArgs.check(append); })) {
            return 2;
        }
        int n = parallel != null ? parallel : Math.max(1, Runtime.getRuntime().availableProcessors());
        if (n < 1) {
            System.err.println("matrix: --parallel must be at least 1");
            return 2;
        }
        // Where the reports go is checked now, not after every boot ran.
        if (Files.exists(reportDir) && !Files.isDirectory(reportDir)) {
            System.err.println("matrix: --report-dir " + reportDir + " is a file; give a directory");
            return 2;
        }
        if (json != null && (json.toString().isEmpty() || Files.isDirectory(json))) {
            System.err.println("matrix: --json '" + json + "' is " + (json.toString().isEmpty() ? "empty" : "a directory")
                    + "; give the file to write");
            return 2;
        }
        ScenarioFilter filter;
        try {
            filter = ScenarioFilter.parse(scenarios, ScenarioCatalog.all());
        } catch (IllegalArgumentException e) {
            System.err.println("matrix: " + e.getMessage());
            return 2;
        }
        RegressionCheck regressionCheck;
        try {
            regressionCheck = RegressionCheck.prepare(budgets, baseline);
        } catch (IllegalArgumentException e) {
            System.err.println("matrix: " + e.getMessage());
            return 2;
        }
        int retryCount = retries != null ? retries : s == Suite.NIGHTLY ? 1 : 0;
        if (retryCount < 0 || historyKeep < 1) {
            System.err.println("matrix: " + (retryCount < 0 ? "--retries must be 0 or more" : "--history-keep must be 1 or more"));
            return 2;
        }
        if (history != null) {
            if (Files.exists(history) && !Files.isDirectory(history)) {
                System.err.println("matrix: --history " + history + " is a file; give a directory");
                return 2;
            }
            try {
                History.load(history);
            } catch (IllegalArgumentException e) {
                System.err.println("matrix: " + e.getMessage());
                return 2;
            }
        }
        List<MatrixCell> cells = sh.select(MatrixRunner.cells(ScenarioCatalog.all(), s, releaseList, archList).stream()
                .filter(c -> filter.admits(c.scenario())).toList());
        if (list) {
            cells.forEach(c -> System.out.println(c.name()));
            return 0;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put(GuestSource.REPORT_DIR, reportDir.toAbsolutePath().toString());
        if (kernelEntry != null) params.put(GuestSource.KERNEL_ENTRY, kernelEntry);
        params.put(GuestSource.BUNDLES, BundleMode.parse(bundles).id());
        if (append != null) params.put(GuestSource.APPEND, KernelArgs.check(append));
        if (kernel != null) {
            params.put(GuestSource.USER_KERNEL, kernel.toAbsolutePath().toString());
            params.put(GuestSource.USER_INITRD, initrd.toAbsolutePath().toString());
        }
        System.out.printf("matrix: suite %s on %s, shard %s, %d cells, %d at once%n", s.id(),
                String.join(" and ", releaseList.stream().map(Release::id).toList()), sh, cells.size(), n);
        long start = System.nanoTime();
        List<TestOutcome> first = MatrixRunner.run(cells, s, n, reportDir, params, filter, true);
        Attempts attempts = Retries.run(first, cells, retryCount, Retries.inAttemptDirs(s, n, reportDir, params));
        List<TestOutcome> outcomes = attempts.outcomes();
        double wall = (System.nanoTime() - start) / 1e9;
        Map<String, CellHistory> kept = history == null ? Map.of()
                : History.update(history, Instant.now(), outcomes, historyKeep);
        MatrixReport report = new MatrixReport(attempts, regressionCheck.check(outcomes), kept);
        report.printSummary(System.out, wall);
        if (!HostSpeed.summary().isEmpty()) System.out.println("matrix: host speed: " + HostSpeed.summary());
        Path html = report.writeHtml(reportDir, "initrd-harness " + s.id() + " matrix, shard " + sh);
        System.out.println("matrix: report at " + html);
        if (json != null) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("suite", s.id());
            meta.put("releases", releaseList.stream().map(Release::id).toList());
            meta.put("shard", sh.toString());
            meta.put("parallel", n);
            meta.put("retries", retryCount);
            meta.put("hostSpeed", HostSpeed.toJson());
            meta.put("wallSeconds", Math.round(wall * 10) / 10.0);
            report.writeJson(json, meta);
            System.out.println("matrix: results written to " + json);
        }
        if (outcomes.isEmpty()) {
            System.err.println("matrix: no test ran: check --arch, --suite and --shard");
            return 1;
        }
        // The last word on secrets: the TestNG and JUnit XML, index.html and --json are only
        // written now, after every test's own scan.
        List<Secret> secrets = RunSecrets.all();
        SecretScan.Result scan = SecretScan.scanFor(reportDir, secrets);
        List<String> leaks = new ArrayList<>(scan.leaks());
        scan.byDesign().forEach(f -> System.out.println("matrix: holds a secret by design: " + f));
        if (json != null && !json.toAbsolutePath().normalize().startsWith(reportDir.toAbsolutePath().normalize())) {
            leaks.addAll(SecretScan.scanFiles(List.of(json), secrets).leaks());
        }
        if (!leaks.isEmpty()) {
            System.err.println("matrix: a secret leaked into the reports: " + String.join(", ", leaks));
            return 1;
        }
        System.out.println("matrix: no secret in the " + scan.scanned().size() + " files under " + reportDir + " ("
                + secrets.size() + " secrets: typed passphrases and the key file, and any private key)");
        if (report.anyFailed()) return 1;
        if (failOnRegression && !report.regressions().isEmpty()) return 1;
        if (failOnFlaky && report.anyFlaky()) return 1;
        if (kernel == null && outcomes.stream().allMatch(o -> o.verdict() == Verdict.SKIP)) {
            // With --kernel/--initrd a foreign initrd may have none of what the scenarios need;
            // with the harness's own stage 1 a skip is a broken set-up, and nothing was checked.
            System.err.println("matrix: all " + outcomes.size() + " tests were skipped, none passed: nothing was checked"
                    + " (see the reasons above)");
            return 1;
        }
        return 0;
    }

    /** Runs an option's check; when it refuses the value, says why ("matrix: " + prefix + reason) and returns true. */
    private static boolean refused(String prefix, Runnable check) {
        try {
            check.run();
            return false;
        } catch (IllegalArgumentException e) {
            System.err.println("matrix: " + prefix + e.getMessage());
            return true;
        }
    }
}
