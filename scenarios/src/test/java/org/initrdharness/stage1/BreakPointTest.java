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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.cli.Main;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.scenarios.support.Stage1Initrds;
import org.initrdharness.scenarios.support.Stage2Report;
import java.time.Duration;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BreakShell;
import org.initrdharness.vm.Breakpoint;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ShellResult;
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
        return boot(stdin, err -> true, args);
    }

    /** Runs {@code boot}; {@code watch} sees stderr so far every 200 ms until it returns true. */
    private static Run boot(String stdin, Predicate<String> watch, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            Thread watcher = new Thread(() -> {
                try {
                    while (!watch.test(err.toString(StandardCharsets.UTF_8))) Thread.sleep(200);
                } catch (InterruptedException e) {
                    // the boot ended
                }
            }, "stderr-watch");
            watcher.setDaemon(true);
            watcher.start();
            String[] all = new String[args.length + 1];
            all[0] = "boot";
            System.arraycopy(args, 0, all, 1, args.length);
            int status = Main.commandLine().execute(all);
            watcher.interrupt();
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

    /** Exit 0 when systemd runs stage 1's own coldplug, which leaves out terminals, memory blocks and the like. */
    static final String LEAN_COLDPLUG = "systemctl show -P ExecStart systemd-udev-trigger.service | grep -q 'subsystem-nomatch=workqueue'";
    /** Exit 0 when the serial console's device unit is there, from the second trigger. */
    static final String CONSOLES_IN_DB = "systemctl list-units --all --no-legend 'dev-tty*.device' | grep -qE 'dev-tty(S|AMA)0[.]device +loaded active plugged'";
    static final String BLOCK_POLLING = "test \"$(cat /sys/module/block/parameters/events_dfl_poll_msecs)\" = 2000";

    @Test(dataProvider = "arches")
    public void preSwitchRootShellRunsCommandsWithTheirStatusAndContinueReachesStage2(Arch arch) throws Exception {
        GuestImages g = VmImages.ensure(arch);
        Path initrd = Stage1Initrds.get(g, Stage1Options.defaults(), Compression.parse("zstd:3"), Path.of("target", "stage1-initrds"));
        Path dir = Path.of("target", "machines", "break-pre-switch-root-" + arch.id()).toAbsolutePath();
        long t0 = System.nanoTime();
        Run r = boot("systemctl list-jobs\ncat /proc/cmdline\ntest -d /sysroot/etc\nfalse\n" + LEAN_COLDPLUG + "\n" + CONSOLES_IN_DB
                + "\n" + BLOCK_POLLING + "\ncontinue\n",
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
        // Stage 1's coldplug leaves out what it never acts on, and still replays the consoles and the block module.
        assertTrue(r.err.contains("boot: [exit 0] " + LEAN_COLDPLUG), "upstream's coldplug of everything ran: " + r.err);
        assertTrue(r.err.contains("boot: [exit 0] " + CONSOLES_IN_DB), "no device unit for the serial console: " + r.err);
        assertTrue(r.err.contains("boot: [exit 0] " + BLOCK_POLLING), "60-block.rules did not set the polling interval: " + r.err);
        assertTrue(r.err.contains("boot: stage 1 continues after pre-switch-root"), r.err);
        assertTrue(r.err.contains("boot: matched /"), "stage 2 reached after continue: " + r.err);
        String second = Files.readString(dir.resolve("console2.log"));
        assertTrue(second.contains("initrd-harness: stage 1 stopped at pre-switch-root"), second);
    }

    /**
     * A root that never shows up: stage 1 falls into emergency. {@code --break on-failure} keeps
     * the guest running after the failure until the person ends it (here: kills QEMU by its pid,
     * as printed), and the failure names stage 1's journal and its unit timeline, read from the
     * journal port, with the device that timed out.
     */
    @Test(dataProvider = "arches")
    public void failedBootIsHeldAndNamesStage1sJournalAndUnitTimeline(Arch arch) throws Exception {
        GuestImages g = VmImages.ensure(arch);
        Path initrd = Stage1Initrds.get(g, Stage1Options.builder().deviceTimeoutSec(5).build(), Compression.parse("zstd:3"),
                Path.of("target", "stage1-initrds"));
        Path dir = Path.of("target", "machines", "break-on-failure-" + arch.id()).toAbsolutePath();
        long t0 = System.nanoTime();
        Pattern held = Pattern.compile("the guest is kept running, QEMU pid (\\d+)");
        AtomicReference<String> seen = new AtomicReference<>("");
        Run r = boot("", err -> {
            Matcher m = held.matcher(err);
            if (!m.find()) return false;
            long pid = Long.parseLong(m.group(1));
            ProcessHandle qemu = ProcessHandle.of(pid).orElseThrow();
            seen.set("alive=" + qemu.isAlive());
            qemu.destroy(); // the person ends it
            return true;
        }, "--arch", arch.id(), "--kernel", g.kernel().toString(), "--initrd", initrd.toString(),
                "--disk", g.rootDisk() + ",serial=stage2,format=raw", "--append", "root=LABEL=no-such-root",
                "--artifacts", dir.toString(), "--quiet", "--timeout", "240",
                "--break", "on-failure", "--expect", Stage2Report.LINE.pattern());
        System.out.println(r.err);
        System.out.printf("%s failed boot held, then ended: %.1f s wall%n", arch, (System.nanoTime() - t0) / 1e9);
        assertEquals(r.status, 1, r.err);
        assertEquals(seen.get(), "alive=true", "QEMU still ran after the failure was reported: " + r.err);
        assertTrue(r.err.contains("journal:     " + dir.resolve("journal.log")), r.err);
        assertTrue(r.err.contains("units:       " + dir.resolve("units.txt")), r.err);
        assertTrue(r.err.contains("boot: failed units (stage 1's journal): "), r.err);
        String units = Files.readString(dir.resolve("units.txt"));
        System.out.println(units);
        assertTrue(units.lines().anyMatch(l -> l.contains("dev-disk-by\\x2dlabel-no\\x2dsuch\\x2droot.device")
                && l.contains("timed out waiting for device")), units);
        assertTrue(units.lines().anyMatch(l -> l.contains("harness-journal-port.service") && !l.startsWith("        -         -")),
                "the port's own unit started and was ready: " + units);
        String journal = Files.readString(dir.resolve("journal.log"));
        assertTrue(journal.contains("kernel: Linux version"), "the journal starts with the kernel's log: "
                + journal.lines().limit(5).toList());
    }

    /**
     * The same from a test, through the machine: stage 1 stops first before udev's coldplug
     * (udevd not running yet), then with the root device there but /sysroot not mounted.
     */
    @Test(dataProvider = "arches")
    public void initrdAndPreMountStopsThroughTheMachine(Arch arch) throws Exception {
        GuestImages g = VmImages.ensure(arch);
        Path initrd = Stage1Initrds.get(g, Stage1Options.defaults(), Compression.parse("zstd:3"), Path.of("target", "stage1-initrds"));
        MachineSpec spec = MachineSpec.builder(arch).name("break-initrd-pre-mount").kernel(g.kernel()).initrd(initrd)
                .disk(Disk.raw(g.rootDisk(), "stage2")).append("root=LABEL=" + g.rootLabel())
                .breakAt(Breakpoint.INITRD).breakAt(Breakpoint.PRE_MOUNT)
                .artifactDir(Path.of("target", "machines", "break-initrd-pre-mount-" + arch.id())).build();
        try (Machine m = Machine.start(spec)) {
            BreakShell early = m.breakShell(Breakpoint.INITRD, Duration.ofSeconds(120));
            ShellResult udevd = early.run("systemctl is-active systemd-udevd.service");
            assertEquals(udevd.exitStatus(), 3, "udevd does not run before coldplug: " + udevd);
            early.resume();
            BreakShell preMount = m.breakShell(Breakpoint.PRE_MOUNT, Duration.ofSeconds(120));
            assertEquals(preMount.run("test -b /dev/disk/by-label/" + g.rootLabel()).exitStatus(), 0, "the root device is there");
            ShellResult mounted = preMount.run("grep ' /sysroot ' /proc/mounts");
            assertEquals(mounted.exitStatus(), 1, "/sysroot is not mounted yet: " + mounted);
            preMount.resume();
            Stage2Report s2 = Stage2Report.await(m.console(), Duration.ofSeconds(120));
            System.out.printf("%s stopped at initrd (%.1f s) and pre-mount (%.1f s), stage 2 at %.1f s%n", arch,
                    early.seconds(), preMount.seconds(), s2.secondsSinceStart());
        }
    }
}
