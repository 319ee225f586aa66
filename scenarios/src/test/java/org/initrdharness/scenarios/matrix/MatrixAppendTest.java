package org.initrdharness.scenarios.matrix;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.initrdharness.cli.Main;
import org.initrdharness.replay.BootManifest;
import org.initrdharness.vm.InProcessCli;
import org.testng.annotations.Test;

/**
 * {@code matrix --append}: a bad value is refused before any boot; {@code init=/no-such-init}
 * fails the smoke cell late in its stage 1 (switch-root finds no init, on systemd 252 and 257
 * alike), the argument is recorded in the boot's inputs.json, and the failed boot's bundle
 * replays headless ({@code repro --check}) to the same last lines.
 */
public class MatrixAppendTest {
    private record Run(int status, String out, String err) {}

    @Test
    public void badArgumentsAreRefusedBeforeAnyBoot() {
        Run r = cli("matrix", "--suite", "smoke", "--append", "rd.break=\"x", "--report-dir", "target/matrix-append-bad");
        assertEquals(r.status, 2, r.out + r.err);
        assertTrue(r.err.contains("--append") && r.err.contains("unbalanced double quote"), r.err);
        Run empty = cli("matrix", "--suite", "smoke", "--append", " ", "--report-dir", "target/matrix-append-bad");
        assertEquals(empty.status, 2, empty.err);
        assertTrue(empty.err.contains("--append is empty"), empty.err);
    }

    @Test
    public void aMissingInitFailsTheCellAtSwitchRootAndItsBundleReplaysThere() throws Exception {
        Path dir = Path.of("target", "matrix-append").toAbsolutePath();
        Path log = dir.resolveSibling("matrix-append.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "matrix", "--suite", "smoke", "--release", "bookworm", "--arch", "x86_64", "--parallel", "1", "--retries", "0",
                "--scenario", "SwitchRootScenario.rootByLabelReachesStage2", "--append", "init=/no-such-init",
                "--report-dir", dir.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the matrix ended");
        String out = Files.readString(log);
        System.out.println(out);
        assertEquals(p.exitValue(), 1, "the cell failed: " + out);
        assertTrue(out.contains("Failed to start initrd-switch-root.service"), "it failed at switch-root: " + out);
        Path boot = dir.resolve("SwitchRootScenario/bookworm/x86_64/root-by-label");
        BootManifest m = BootManifest.read(boot.resolve(BootManifest.FILE));
        assertTrue(m.kernelCommandLine().endsWith(" init=/no-such-init"), "the user's argument comes last: " + m.kernelCommandLine());
        Path bundle = boot.resolveSibling("root-by-label.tar.zst");
        assertTrue(Files.isRegularFile(bundle), "the failed boot was bundled: " + out);

        long t0 = System.nanoTime();
        Run check = cli("repro", bundle.toString(), "--check", "--timeout", "300");
        System.out.printf("repro --check: %.1f s, exit %d%n%s%s", (System.nanoTime() - t0) / 1e9, check.status, check.out, check.err);
        assertEquals(check.status, 0, check.out + check.err);
        assertTrue(check.out.contains("  same     [FAILED] Failed to start initrd-switch-root.service - Switch Root."), check.out);
    }

    private static Run cli(String... args) {
        InProcessCli.Run r = InProcessCli.run(args);
        return new Run(r.status(), r.out(), r.err());
    }
}
