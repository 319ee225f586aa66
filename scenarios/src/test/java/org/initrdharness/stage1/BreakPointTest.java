package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.cli.Main;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.scenarios.support.Stage1Initrds;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * {@code boot --break pre-switch-root} as a person runs it, on our stage 1 and the stage-2 disk:
 * commands typed on stdin run in the stopped stage 1's shell on the second console with their
 * exit status, and {@code continue} lets the boot reach stage 2.
 */
public class BreakPointTest {

    private record Run(int status, String out, String err) {}

    private static Run boot(String stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 1];
            all[0] = "boot";
            System.arraycopy(args, 0, all, 1, args.length);
            int status = Main.commandLine().execute(all);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setIn(oldIn);
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @DataProvider
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    @Test(dataProvider = "arches")
    public void preSwitchRootShellRunsCommandsWithTheirStatusAndContinueReachesStage2(Arch arch) throws Exception {
        GuestImages g = VmImages.ensure(arch);
        Path initrd = Stage1Initrds.get(g, Stage1Options.defaults(), Compression.parse("zstd:3"), Path.of("target", "stage1-initrds"));
        Path dir = Path.of("target", "machines", "break-pre-switch-root-" + arch.id()).toAbsolutePath();
        long t0 = System.nanoTime();
        Run r = boot("systemctl list-jobs\ncat /proc/cmdline\ntest -d /sysroot/etc\nfalse\ncontinue\n",
                "--arch", arch.id(), "--kernel", g.kernel().toString(), "--initrd", initrd.toString(),
                "--disk", g.rootDisk() + ",serial=stage2,format=raw", "--append", "root=LABEL=" + g.rootLabel(),
                "--artifacts", dir.toString(), "--quiet", "--timeout", "240",
                "--break", "pre-switch-root", "--expect", Stage2Report.LINE.pattern());
        System.out.println(r.out);
        System.out.println(r.err);
        System.out.printf("%s boot --break pre-switch-root to stage 2: %.1f s wall%n", arch, (System.nanoTime() - t0) / 1e9);
        assertEquals(r.status, 0, r.err);
        assertTrue(r.err.contains("boot: stage 1 stopped at pre-switch-root"), r.err);
        // The boot waits on the break: its jobs are still queued, initrd.target's among them.
        assertTrue(r.err.contains("boot: [exit 0] systemctl list-jobs"), r.err);
        assertTrue(r.out.contains("initrd.target"), "list-jobs shows the waiting initrd.target: " + r.out);
        assertTrue(r.err.contains("boot: [exit 0] cat /proc/cmdline"), r.err);
        assertTrue(r.out.contains("rd.harness.break=pre-switch-root"), r.out);
        assertTrue(r.err.contains("boot: [exit 0] test -d /sysroot/etc"), "the root is mounted at pre-switch-root: " + r.err);
        assertTrue(r.err.contains("boot: [exit 1] false"), r.err);
        assertTrue(r.err.contains("boot: stage 1 continues after pre-switch-root"), r.err);
        assertTrue(r.err.contains("boot: matched /"), "stage 2 reached after continue: " + r.err);
        String second = Files.readString(dir.resolve("console2.log"));
        assertTrue(second.contains("initrd-harness: stage 1 stopped at pre-switch-root"), second);
    }
}
