package org.initrdharness.testing;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.testng.IExecutionListener;
import org.testng.ITestContext;
import org.testng.ITestListener;
import org.testng.ITestResult;
import org.testng.TestRunner;

/**
 * A TestNG listener that lists every skipped test, with its class, method and reason, once the
 * run ends, so that a skip is never silent. Under Maven Surefire the list goes to the build's
 * console as warnings, through Surefire's own console logger (test output itself goes to files
 * with {@code redirectTestOutputToFile}); elsewhere it is printed on standard output. The root
 * pom registers it for every module's tests.
 */
public final class SkippedTestsReport implements ITestListener, IExecutionListener {
    private final List<String> skipped = new CopyOnWriteArrayList<>();
    private volatile Object surefireLogger;
    private volatile Method warning;

    @Override
    public void onStart(ITestContext context) {
        findSurefireLogger(context);
    }

    @Override
    public void onTestSkipped(ITestResult result) {
        findSurefireLogger(result.getTestContext());
        Throwable t = result.getThrowable();
        String reason = t == null ? "no reason given"
                : t.getMessage() == null || t.getMessage().isBlank() ? t.toString() : t.getMessage();
        Object[] params = result.getParameters();
        skipped.add(result.getTestClass().getName() + "." + result.getMethod().getMethodName()
                + (params == null || params.length == 0 ? "" : Arrays.toString(params)) + ": " + reason);
    }

    @Override
    public void onExecutionFinish() {
        if (skipped.isEmpty()) return;
        List<String> lines = new ArrayList<>();
        lines.add(skipped.size() + " skipped test(s):");
        for (String s : skipped) lines.add("  SKIPPED " + s.replace("\n", "\n          "));
        for (String line : lines) print(line);
    }

    private void print(String line) {
        Object logger = surefireLogger;
        if (logger != null) {
            try {
                warning.invoke(logger, line);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                surefireLogger = null;
            }
        }
        System.out.println("[skipped-tests] " + line);
    }

    /**
     * Surefire's TestNG reporter is one of the run's test listeners; its run listener is also
     * Surefire's console logger, whose warnings Maven prints whatever happens to test output.
     */
    private void findSurefireLogger(ITestContext context) {
        if (surefireLogger != null || !(context instanceof TestRunner runner)) return;
        for (ITestListener l : runner.getTestListeners()) {
            for (Class<?> c = l.getClass(); c != null; c = c.getSuperclass()) {
                if (!c.getName().startsWith("org.apache.maven.surefire.")) continue;
                try {
                    Method m = c.getDeclaredMethod("getRunListener");
                    m.setAccessible(true);
                    Object runListener = m.invoke(l);
                    Method w = consoleWarning(runListener);
                    if (w != null) {
                        warning = w;
                        surefireLogger = runListener;
                        return;
                    }
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not Surefire's reporter, or another Surefire version: fall back to stdout
                }
            }
        }
    }

    /** warning(String) of a public interface of {@code o} (Surefire's ConsoleLogger). */
    private static Method consoleWarning(Object o) {
        if (o == null) return null;
        List<Class<?>> todo = new ArrayList<>();
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) todo.addAll(Arrays.asList(c.getInterfaces()));
        while (!todo.isEmpty()) {
            Class<?> i = todo.remove(0);
            if (i.getName().endsWith(".ConsoleLogger") && java.lang.reflect.Modifier.isPublic(i.getModifiers())) {
                try {
                    return i.getMethod("warning", String.class);
                } catch (NoSuchMethodException e) {
                    // keep looking
                }
            }
            todo.addAll(Arrays.asList(i.getInterfaces()));
        }
        return null;
    }
}
