package org.initrdharness.bisect;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.cli.Main;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.initrd.kmod.DebianKernelPackage;
import org.initrdharness.initrd.kmod.DebianPackage;
import org.initrdharness.vm.Arch;
import picocli.CommandLine;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@code initrd-harness bisect} as a user runs it, on real x86_64 guests (Debian's kernel and
 * busybox-static, fetched as test fixtures): two initrds that differ in 200 entries (118 files
 * and two directories added, 40 files removed, 40 changed), one of which, a changed
 * /etc/init.d/rcS that calls a program the initrd does not hold, ends stage 1 before its marker.
 */
public class BisectBootTest {
    private static final String MARK = "BISECT-TEST stage 1 reached";

    private Path kernel;
    private Path dir;
    private Path a;
    private Path b;

    @BeforeClass
    public void initrds() throws Exception {
        Path busybox = DebianPackage.get("busybox-static", Arch.X86_64).file("/bin/busybox");
        kernel = DebianKernelPackage.get(Arch.X86_64).vmlinuz();
        dir = Path.of("target", "bisect-boot").toAbsolutePath();
        DebianKernelPackage.deleteTree(dir);
        Files.createDirectories(dir);

        InitrdPlan.Builder good = common(busybox, "echo '" + MARK + "'\n");
        for (int i = 0; i < 40; i++) good.add(text(String.format("/etc/old/o-%02d", i), "old " + i + "\n"));
        for (int i = 0; i < 39; i++) good.add(text(String.format("/etc/conf/c-%02d.conf", i), "setting=" + i + "\n"));

        // The culprit: rcS now settles udev first, which this initrd does not have; set -e ends /init there.
        InitrdPlan.Builder bad = common(busybox, "/sbin/udevadm settle\necho '" + MARK + "'\n");
        bad.add(new PlanEntry.Directory(InitrdPath.of("/etc/old"), 0755, "emptied"));
        for (int i = 0; i < 39; i++) bad.add(text(String.format("/etc/conf/c-%02d.conf", i), "setting=" + (i + 1) + "\n"));
        bad.add(new PlanEntry.Directory(InitrdPath.of("/opt"), 0755, "added"));
        bad.add(new PlanEntry.Directory(InitrdPath.of("/opt/filler"), 0755, "added"));
        for (int i = 0; i < 118; i++) bad.add(text(String.format("/opt/filler/f-%03d", i), "filler " + i + "\n"));

        a = dir.resolve("good.img");
        b = dir.resolve("bad.img");
        InitrdWriter.write(good.build(), Compression.parse("gzip:1"), List.of(), a);
        InitrdWriter.write(bad.build(), Compression.parse("gzip:1"), List.of(), b);
    }

    private record Run(int exit, String out, String err) {}

    private Run bisect(Path good, Path bad, String artifacts) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        long t0 = System.nanoTime();
        int exit = cli.execute("bisect", "--good", good.toString(), "--bad", bad.toString(), "--arch", "x86_64",
                "--kernel", kernel.toString(), "--memory", "256", "--expect", MARK, "--timeout", "60",
                "--artifacts", dir.resolve(artifacts).toString());
        System.out.print(out);
        System.out.print(err);
        System.out.printf("bisect: %.1f s wall%n", (System.nanoTime() - t0) / 1e9);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    public void findsTheOneBrokenInitScriptAmong200DifferencesInAtMost10Boots() throws Exception {
        Run r = bisect(a, b, "run");
        String o = r.out();
        String err = r.err();
        assertEquals(r.exit(), 0, o + err);
        assertTrue(o.contains("bisect: 200 deltas from "), o);
        Matcher found = Pattern.compile("bisect: found the delta in (\\d+) boots \\((\\d+) for the endpoints, (\\d+) to bisect\\)"
                + ".*:\n(.*)\n").matcher(o);
        assertTrue(found.find(), o);
        assertTrue(found.group(4).startsWith("~ /etc/init.d/rcS: size "), o);
        // One culprit among 200: the bad initrd, at most ceil(log2 200) = 8 halvings, then the last
        // entry alone or the good initrd (only when no hybrid booted good).
        assertTrue(Integer.parseInt(found.group(1)) <= 10, "more than 10 boots: " + o);
        assertTrue(Files.isRegularFile(dir.resolve("run/good-with-culprits.img")), o);
        assertEquals(Files.readAllLines(dir.resolve("run/step-01/taken.txt")).size(), 200, "the bad endpoint takes all");
        assertEquals(Files.readAllLines(dir.resolve("run/step-02/taken.txt")).size(), 100, "then the first half");
    }

    @Test
    public void swappedInitrdsAreRefusedAfterOneBoot() {
        Run r = bisect(b, a, "swapped");
        assertEquals(r.exit(), 2, r.out() + r.err());
        assertTrue(r.err().startsWith("bisect: the --bad initrd " + a + " boots good ("), r.err());
        assertTrue(r.err().contains("\n  see " + dir.resolve("swapped/step-01/console.log")), r.err());
        assertTrue(r.out().contains("bisect: step 1: the bad initrd: 200 deltas: GOOD, "), r.out());
        assertFalse(r.out().contains("bisect: step 2:"), r.out());
    }

    private static InitrdPlan.Builder common(Path busybox, String rcS) {
        InitrdPlan.Builder p = InitrdPlan.builder();
        p.add(new PlanEntry.RegularFile(InitrdPath.of("/bin/busybox"), busybox, 0755, "busybox-static"));
        p.add(new PlanEntry.Symlink(InitrdPath.of("/bin/sh"), "busybox", "the shell"));
        p.add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "console for init"));
        p.add(new PlanEntry.Directory(InitrdPath.of("/proc"), 0755, "mount point"));
        p.add(PlanEntry.Generated.text(InitrdPath.of("/init"), String.join("\n",
                "#!/bin/sh",
                "set -e",
                "/bin/busybox mount -t proc proc /proc",
                ". /etc/init.d/rcS",
                "/bin/busybox poweroff -f", ""), 0755, "test init"));
        p.add(PlanEntry.Generated.text(InitrdPath.of("/etc/init.d/rcS"), rcS, 0755, "init script"));
        return p;
    }

    private static PlanEntry text(String path, String content) {
        return PlanEntry.Generated.text(InitrdPath.of(path), content, 0644, "filler");
    }
}
