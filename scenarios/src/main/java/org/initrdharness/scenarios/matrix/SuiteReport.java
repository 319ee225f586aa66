package org.initrdharness.scenarios.matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.testng.ISuite;
import org.testng.ISuiteListener;

/**
 * The matrix's report for a suite TestNG runs by itself (the smoke suite under {@code mvn
 * verify}): when the suite ends, the HTML report and {@value #RESULTS} (the matrix's
 * {@code --json}) go into the suite's report directory, beside the boots.
 */
public final class SuiteReport extends OutcomeCollector implements ISuiteListener {
    public static final String RESULTS = "matrix-results.json";

    public SuiteReport() {
        super(false);
    }

    @Override
    public void onFinish(ISuite suite) {
        String dir = suite.getParameter(org.initrdharness.scenarios.support.GuestSource.REPORT_DIR);
        Path reportDir = Path.of(dir == null || dir.isEmpty() ? "target/boots" : dir).toAbsolutePath();
        MatrixReport report = new MatrixReport(outcomes());
        try {
            Path index = report.writeHtml(reportDir, "initrd-harness " + suite.getName() + " suite");
            report.writeJson(reportDir.resolve(RESULTS), Map.of("suite", suite.getName()));
            System.out.println("report: " + index);
        } catch (IOException e) {
            // the report is evidence: the suite's verdict stands without it
            System.out.println("report: not written: " + e);
        }
    }
}
