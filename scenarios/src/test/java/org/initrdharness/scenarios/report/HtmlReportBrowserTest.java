package org.initrdharness.scenarios.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.initrdharness.images.Release;
import org.initrdharness.scenarios.SwitchRootScenario;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.MatrixReport;
import org.initrdharness.scenarios.matrix.MatrixRunner;
import org.initrdharness.scenarios.matrix.Suite;
import org.initrdharness.scenarios.matrix.SuiteReport;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;
import org.initrdharness.scenarios.support.GuestSource;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/**
 * The HTML report of real boots, opened from a copied directory in headless Chromium with
 * nothing but file:// URLs: the smoke suite's passing boots (as {@code mvn verify} left them in
 * target/boots; one is booted here when they are missing) and one boot that fails for real
 * ({@link MissingRootFixture}), run through the matrix runner. The DOM after load must hold
 * the grid, the failures first and each cell's SVG timeline; the screenshots, written to
 * target/report-render/screenshots, must show the grid's and the timeline's colours.
 */
public class HtmlReportBrowserTest {
    private static final Path OUT = Path.of("target", "report-render").toAbsolutePath();
    private static final Path SMOKE = Path.of("target", "boots").toAbsolutePath();

    @Test
    public void reportOfRealBootsRendersFromACopiedDirectory() throws IOException {
        delete(OUT);
        Path run = OUT.resolve("run");
        List<TestOutcome> outcomes = new ArrayList<>(smokeBoots(run));
        List<MatrixCell> cells = new ArrayList<>();
        cells.add(new MatrixCell(MissingRootFixture.class, Release.BOOKWORM, Arch.X86_64));
        if (outcomes.isEmpty()) cells.add(new MatrixCell(SwitchRootScenario.class, Release.BOOKWORM, Arch.X86_64));
        long start = System.nanoTime();
        List<TestOutcome> ran = MatrixRunner.run(cells, Suite.SMOKE, 1, run,
                Map.of(GuestSource.REPORT_DIR, run.toString()), true);
        System.out.printf(Locale.ROOT, "report test: %d boot(s) in %.1f s%n", ran.size(), (System.nanoTime() - start) / 1e9);
        TestOutcome failed = ran.stream().filter(o -> o.scenario().equals("MissingRootFixture")).findFirst().orElseThrow();
        assertEquals(failed.verdict(), Verdict.FAIL, "the missing root must fail: " + failed);
        outcomes.addAll(ran);
        assertTrue(outcomes.stream().anyMatch(o -> o.verdict() == Verdict.PASS), "a passing boot too: " + outcomes);
        new MatrixReport(outcomes).writeHtml(run, "initrd-harness report test");

        // What a person downloads: the directory, somewhere else.
        Path copy = OUT.resolve("copy");
        copyTree(run, copy);
        selfContained(copy);

        Chromium chromium = new Chromium(OUT.resolve("chromium-profile"));
        Path shots = Files.createDirectories(OUT.resolve("screenshots"));
        long t = System.nanoTime();
        String index = chromium.dom(copy.resolve("index.html"));
        assertTrue(index.contains("<table class=\"grid\">"), "the grid is drawn:\n" + index);
        int failures = index.indexOf("id=\"failures\"");
        assertTrue(failures > 0 && failures < index.indexOf("id=\"grid\""), "failures come before the grid");
        String fixtureCell = "cells/MissingRootFixture_bookworm_x86_64.html";
        assertTrue(index.contains("<td class=\"FAIL\"><a href=\"" + fixtureCell + "\">"), "the failed cell links its page");
        assertTrue(index.contains("<td class=\"PASS\"><a href=\"cells/"), "a passed cell links its page");
        assertTrue(index.contains("<pre class=\"tail\">"), "the failure's last lines are on the front page");
        assertTrue(index.contains("emergency"), "with its reason: " + failed.message());

        String cell = chromium.dom(copy.resolve(fixtureCell));
        assertTrue(cell.contains("<svg class=\"timeline\""), "the cell's timeline is drawn");
        assertTrue(count(cell, "class=\"milestone\"") >= 3, "milestones on the timeline");
        assertTrue(count(cell, "class=\"unit\"") >= 10, "stage-1 units on the timeline: " + count(cell, "class=\"unit\""));
        assertTrue(cell.contains("class=\"l fail\""), "the failing line is highlighted on the cell page");

        Matcher bootLink = Pattern.compile("href=\"(\\.\\./MissingRootFixture/[^\"#]+/boot\\.html)#L(\\d+)\"").matcher(cell);
        assertTrue(bootLink.find(), "the cell links its boot's console log at a line");
        Path bootPage = copy.resolve("cells").resolve(bootLink.group(1)).normalize();
        String boot = chromium.dom(bootPage);
        assertTrue(Pattern.compile("<span class=\"l fail\" id=\"L" + bootLink.group(2) + "\">").matcher(boot).find(),
                "line " + bootLink.group(2) + " is anchored and highlighted as failing");
        assertTrue(boot.contains("initrd-harness repro "), "the repro command");
        assertTrue(boot.contains(">console.log</a>"), "the artifacts");

        BufferedImage indexShot = ImageIO.read(chromium.screenshot(copy.resolve("index.html"), shots.resolve("index.png"), 1280, 1400).toFile());
        assertTrue(has(indexShot, 0xf7c9c9) && has(indexShot, 0xd4f7d4), "the grid's FAIL and PASS cells are painted");
        BufferedImage cellShot = ImageIO.read(chromium.screenshot(copy.resolve(fixtureCell), shots.resolve("failed-cell.png"), 1280, 1600).toFile());
        assertTrue(has(cellShot, 0x7a4fc9), "milestones are painted on the failed cell's timeline");
        assertTrue(has(cellShot, 0x3b78c4), "unit bars are painted on the failed cell's timeline");
        chromium.screenshot(bootPage, shots.resolve("failed-boot.png"), 1280, 2400);
        System.out.printf(Locale.ROOT, "report test: rendered and screenshot in %.1f s: %s%n", (System.nanoTime() - t) / 1e9, shots);
    }

    /** The smoke suite's passing boots, copied into the report directory where the matrix puts them. */
    private static List<TestOutcome> smokeBoots(Path run) throws IOException {
        Path results = SMOKE.resolve(SuiteReport.RESULTS);
        if (!Files.isRegularFile(results)) {
            System.out.println("report test: no " + results + " (the smoke suite did not run first): booting one");
            return List.of();
        }
        List<TestOutcome> out = new ArrayList<>();
        for (TestOutcome o : MatrixReport.readJson(results)) {
            if (o.verdict() != Verdict.PASS || o.artifacts() == null || !Path.of(o.artifacts()).startsWith(SMOKE)
                    || !Files.isDirectory(Path.of(o.artifacts()))) continue;
            Path to = run.resolve(SMOKE.relativize(Path.of(o.artifacts())).toString());
            copyTree(Path.of(o.artifacts()), to);
            out.add(new TestOutcome(o.scenario(), o.release(), o.arch(), o.test(), o.verdict(), o.seconds(), to.toString(),
                    o.message()));
        }
        return out;
    }

    /** No page reaches outside the directory: no scripts, style sheets or fonts, no absolute links. */
    private static void selfContained(Path dir) throws IOException {
        Pattern outside = Pattern.compile("(?i)<script|<link|@import|url\\(|(href|src)=\"(https?:|file:|/)");
        try (Stream<Path> pages = Files.walk(dir)) {
            for (Path p : pages.filter(f -> f.toString().endsWith(".html")).toList()) {
                if (!isOurs(p)) continue;
                Matcher m = outside.matcher(Files.readString(p));
                if (m.find()) throw new AssertionError(p + " reaches outside its directory: " + m.group());
            }
        }
    }

    /** TestNG writes its own HTML reports beside ours (with scripts); ours are index.html, cells/ and boot pages. */
    private static boolean isOurs(Path page) {
        String name = page.getFileName().toString();
        return name.equals("boot.html") || page.getParent().getFileName().toString().equals("cells")
                || (name.equals("index.html") && page.getParent().getFileName().toString().equals("copy"));
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    private static boolean has(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xffffff) == rgb) return true;
        }
        return false;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else if (Files.isRegularFile(p) && !p.getFileName().toString().endsWith(".img")) Files.copy(p, target);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
