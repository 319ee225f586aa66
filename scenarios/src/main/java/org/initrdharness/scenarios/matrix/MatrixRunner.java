package org.initrdharness.scenarios.matrix;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.initrdharness.images.Release;
import org.initrdharness.vm.Arch;
import org.testng.TestNG;
import org.testng.annotations.Test;
import org.testng.xml.XmlClass;
import org.testng.xml.XmlInclude;
import org.testng.xml.XmlSuite;
import org.testng.xml.XmlTest;

/**
 * Runs scenario classes × releases × arches as one TestNG suite: one XmlTest per cell (so release
 * and arch are parameters and every report carries them), at most {@code parallel} cells at once.
 */
public final class MatrixRunner {

    /** The cells of {@code suite}: each catalogued class with a test in the suite's groups, on each release and arch. */
    public static List<MatrixCell> cells(List<Class<?>> catalogue, Suite suite, List<Release> releases, List<Arch> arches) {
        List<MatrixCell> cells = new ArrayList<>();
        for (Class<?> c : catalogue) {
            if (!hasTestIn(c, suite.groups())) continue;
            for (Release r : releases) for (Arch a : arches) cells.add(new MatrixCell(c, r, a));
        }
        cells.sort(null);
        return cells;
    }

    static boolean hasTestIn(Class<?> c, List<String> groups) {
        for (Method m : c.getMethods()) {
            Test t = m.getAnnotation(Test.class);
            if (t != null && Arrays.stream(t.groups()).anyMatch(groups::contains)) return true;
        }
        return false;
    }

    /**
     * Runs the cells and returns every test's outcome. TestNG's own reports (including JUnit XML
     * for CI systems) are written under {@code reportDir}.
     */
    public static List<TestOutcome> run(List<MatrixCell> cells, Suite suite, int parallel, Path reportDir,
            Map<String, String> parameters, boolean echo) {
        return run(cells, suite, parallel, reportDir, parameters, ScenarioFilter.ALL, echo);
    }

    /** As {@link #run(List, Suite, int, Path, Map, boolean)}, running only the tests {@code filter} names. */
    public static List<TestOutcome> run(List<MatrixCell> cells, Suite suite, int parallel, Path reportDir,
            Map<String, String> parameters, ScenarioFilter filter, boolean echo) {
        XmlSuite xml = new XmlSuite();
        xml.setName("initrd-harness " + suite.id());
        xml.setParallel(parallel > 1 ? XmlSuite.ParallelMode.TESTS : XmlSuite.ParallelMode.NONE);
        xml.setThreadCount(Math.max(1, parallel));
        xml.setParameters(parameters);
        for (MatrixCell cell : cells) {
            XmlTest t = new XmlTest(xml);
            t.setName(cell.name());
            t.addParameter("arch", cell.arch().id());
            t.addParameter("release", cell.release().id());
            XmlClass c = new XmlClass(cell.scenario());
            for (String method : filter.methodsOf(cell.scenario())) c.getIncludedMethods().add(new XmlInclude(method));
            t.setXmlClasses(List.of(c));
            suite.groups().forEach(t::addIncludedGroup);
        }
        OutcomeCollector collector = new OutcomeCollector(echo);
        TestNG testng = new TestNG();
        testng.setXmlSuites(List.of(xml));
        testng.setOutputDirectory(reportDir.toString());
        testng.addListener(collector);
        testng.setVerbose(0);
        testng.run();
        return collector.outcomes();
    }
}
