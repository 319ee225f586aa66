package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.initrdharness.scenarios.matrix.OutcomeCollector;
import org.initrdharness.scenarios.support.GuestSource;
import org.testng.ITestResult;
import org.testng.Reporter;
import org.testng.annotations.Parameters;
import org.testng.annotations.Test;

/**
 * A scenario that fails on the first boot of a run only: it boots the busybox guest for real,
 * and the first time it runs (no marker file yet under the run's report directory) it leaves
 * the marker and fails after the boot; every later boot passes. Run by the matrix in tests.
 */
public class FlakyOnceScenario {
    static final String MARKER = "flaky-once.marker";

    @Test(groups = "smoke")
    @Parameters({"arch", GuestSource.REPORT_DIR})
    public void failsOnItsFirstBootOnly(String arch, String reportDir) throws IOException {
        Arch a = Arch.parse(arch);
        // The run's report directory, not the attempt's: the marker must outlive the first attempt.
        Path run = Path.of(reportDir).getFileName().toString().startsWith("attempt-") ? Path.of(reportDir).getParent()
                : Path.of(reportDir);
        Path marker = run.resolve(MARKER);
        MachineSpec spec = BusyboxGuest.of(a).spec("flaky", "marker").artifactDir(Path.of(reportDir, "flaky-" + arch)).build();
        ITestResult r = Reporter.getCurrentTestResult();
        if (r != null) r.setAttribute(OutcomeCollector.ARTIFACTS, spec.artifactDir().toAbsolutePath().toString());
        try (Machine m = Machine.start(spec)) {
            m.console().waitFor(Pattern.compile("HARNESS-MARKER (\\S+)"), Duration.ofSeconds(60));
            m.awaitExit(Duration.ofSeconds(30));
        }
        if (!Files.exists(marker)) {
            Files.createDirectories(run);
            Files.writeString(marker, "the first boot of this run failed on purpose\n");
            fail("the first boot of the run fails on purpose (marker " + marker + " left for the next)");
        }
        assertEquals(Files.readString(marker).isEmpty(), false);
    }
}
