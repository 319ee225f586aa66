package org.initrdharness.scenarios.matrix;

import java.util.ArrayList;
import java.util.List;
import org.testng.ITestContext;
import org.testng.ITestListener;
import org.testng.ITestResult;

/**
 * Collects every test's outcome as the matrix runs, and prints one line per finished test.
 * {@link SuiteReport} extends it to write the report when a suite ends.
 */
public class OutcomeCollector implements ITestListener {
    /** The attribute under which a scenario leaves its artifact directory on its test result. */
    public static final String ARTIFACTS = "artifacts";

    private final List<TestOutcome> outcomes = new ArrayList<>();
    private final boolean echo;

    public OutcomeCollector(boolean echo) {
        this.echo = echo;
    }

    @Override
    public void onTestSuccess(ITestResult r) {
        add(r, Verdict.PASS);
    }

    @Override
    public void onTestFailure(ITestResult r) {
        add(r, Verdict.FAIL);
    }

    @Override
    public void onTestSkipped(ITestResult r) {
        add(r, Verdict.SKIP);
    }

    @Override
    public void onTestFailedButWithinSuccessPercentage(ITestResult r) {
        add(r, Verdict.FAIL);
    }

    @Override
    public void onTestFailedWithTimeout(ITestResult r) {
        add(r, Verdict.FAIL);
    }

    private synchronized void add(ITestResult r, Verdict verdict) {
        ITestContext ctx = r.getTestContext();
        String arch = ctx.getCurrentXmlTest().getParameter("arch");
        String release = ctx.getCurrentXmlTest().getParameter("release");
        Object artifacts = r.getAttribute(ARTIFACTS);
        Throwable t = r.getThrowable();
        String message = t == null ? null : firstLine(t);
        TestOutcome o = new TestOutcome(r.getTestClass().getRealClass().getSimpleName(), release, arch,
                r.getMethod().getMethodName(), verdict, (r.getEndMillis() - r.getStartMillis()) / 1000.0,
                artifacts == null ? null : artifacts.toString(), message);
        outcomes.add(o);
        if (echo) {
            System.out.printf("%-4s %-28s %-17s %-52s %6.1f s%s%n", verdict, o.scenario(), o.column(), o.test(),
                    o.seconds(), message == null ? "" : "  " + message);
        }
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    public synchronized List<TestOutcome> outcomes() {
        return List.copyOf(outcomes);
    }
}
