package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.ShellResult;
import org.initrdharness.vm.console.ShellSession;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Real boots under TCG, one guest at a time, on both arches. */
public class MachineBootTest {

    @DataProvider
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    private static void timing(Arch arch, String what, long t0) {
        System.out.printf(Locale.ROOT, "%s %s: %.2f s%n", arch, what, (System.nanoTime() - t0) / 1e9);
    }

    @Test(dataProvider = "arches")
    public void markerIsSeenAndThePowerOffEndsQemu(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        long t0 = System.nanoTime();
        try (Machine m = Machine.start(guest.spec("marker", "marker").build())) {
            ConsoleMatch match = m.console().waitFor(Pattern.compile("HARNESS-MARKER (\\S+)"), Duration.ofSeconds(60));
            timing(arch, "marker", t0);
            assertEquals(match.group(1), arch.id());
            assertTrue(m.awaitExit(Duration.ofSeconds(30)), "QEMU still running after the guest's power-off");
            timing(arch, "power-off", t0);
            assertEquals(m.exitStatus().getAsInt(), 0);
            // KVM where the probe found it working (and the arch is the host's), TCG otherwise.
            Accelerator expected = arch == Arch.host() ? AcceleratorProbe.choose(m.spec()).accelerator() : Accelerator.TCG;
            assertEquals(m.accelerator(), expected, "the probe chose " + AcceleratorProbe.choose(m.spec()));
            assertTrue(Files.readString(m.artifacts().consoleLog()).contains("HARNESS-MARKER " + arch.id()));
            assertTrue(Files.readString(m.artifacts().replayScript()).contains(arch.qemuBinary()));
        }
    }

    /** The real-mode bzImage protocol stays covered now that x86_64 boots go through PVH by default. */
    @Test
    public void bzImageEntryStillBootsAndIsRecorded() throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(Arch.X86_64);
        long t0 = System.nanoTime();
        MachineSpec spec = guest.spec("bzimage", "marker").kernelEntry(KernelEntry.BZIMAGE).build();
        try (Machine m = Machine.start(spec)) {
            m.console().waitFor(Pattern.compile("HARNESS-MARKER (\\S+)"), Duration.ofSeconds(60));
            timing(Arch.X86_64, "marker through the bzImage entry", t0);
            assertEquals(m.kernelBoot().entry(), KernelEntry.BZIMAGE);
            assertEquals(m.command().get(m.command().indexOf("-kernel") + 1), spec.kernel().toString());
            assertTrue(Files.readString(m.artifacts().replayScript()).contains("Kernel entry: bzimage (asked for)"));
            assertTrue(m.timeline().events().stream().anyMatch(e -> e.kind().equals("kernel") && e.text().startsWith("entry bzimage")),
                    m.timeline().format());
        }
    }

    @Test(dataProvider = "arches")
    public void panicIsReportedInSecondsNotAtTheDeadline(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        long t0 = System.nanoTime();
        try (Machine m = Machine.start(guest.spec("panic", "panic").build())) {
            BootFailure f = expectThrows(BootFailure.class,
                    () -> m.console().expect("never printed", Duration.ofSeconds(300)));
            timing(arch, "panic reported", t0);
            assertEquals(f.kind(), BootFailure.Kind.KERNEL_PANIC, f.getMessage());
            assertTrue(f.getMessage().contains("Attempted to kill init"), f.getMessage());
            assertTrue(f.getMessage().contains(arch.id()), f.getMessage());
            assertTrue(f.getMessage().contains("HARNESS-PANICKING"), "last lines missing: " + f.getMessage());
            // panic=-1 and -no-reboot end the guest; where the kernel has pvpanic (Debian's amd64,
            // not its arm64), QEMU hears of the panic and exits with 1.
            assertTrue(m.awaitExit(Duration.ofSeconds(30)));
            System.out.println(arch + " after the panic: QEMU status " + m.exitStatus().getAsInt() + ", events " + m.qmp().events());
            if (arch == Arch.X86_64) {
                assertEquals(m.exitStatus().getAsInt(), 1, "QEMU's status after a pvpanic");
                assertTrue(m.qmp().events().stream().anyMatch(e -> e.name().equals("GUEST_PANICKED")));
            }
        }
    }

    @Test(dataProvider = "arches")
    public void waitThatTimesOutSaysWhatItWaitedFor(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        try (Machine m = Machine.start(guest.spec("timeout", "quiet").build())) {
            m.console().expect("HARNESS-INIT mode=quiet", Duration.ofSeconds(60));
            long t0 = System.nanoTime();
            BootFailure f = expectThrows(BootFailure.class,
                    () -> m.console().waitFor(Pattern.compile("switch-root done"), Duration.ofSeconds(2)));
            timing(arch, "2 s wait timed out after", t0);
            System.out.println(f.getMessage().lines().limit(3).reduce((a, b) -> a + "\n" + b).orElse(""));
            assertEquals(f.kind(), BootFailure.Kind.TIMEOUT);
            assertTrue(f.getMessage().startsWith("no console output matched /switch-root done/ within"), f.getMessage());
            assertTrue(f.getMessage().contains("(" + arch.id() + " timeout, "), f.getMessage());
            assertTrue(f.getMessage().contains("HARNESS-INIT mode=quiet"), f.getMessage());
        }
    }

    @Test(dataProvider = "arches")
    public void promptWithoutNewlineIsAnsweredAndTheAnswerNeverLogged(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        String secret = "correct-horse-" + arch.id();
        Path log;
        Path timeline;
        try (Machine m = Machine.start(guest.spec("prompt", "prompt").build())) {
            ConsoleMatch prompt = m.console().expect("Please enter passphrase for disk test-disk:", Duration.ofSeconds(60));
            assertTrue(prompt.partial(), "the prompt has no newline");
            m.console().sendSecretLine(secret);
            m.console().expect("HARNESS-ANSWER length=" + secret.length(), Duration.ofSeconds(30));
            assertTrue(m.awaitExit(Duration.ofSeconds(30)));
            log = m.artifacts().consoleLog();
            timeline = m.artifacts().timeline();
        }
        String text = Files.readString(log);
        assertFalse(text.contains(secret), "the secret is in " + log);
        assertTrue(text.contains("<secret>"), text);
        assertFalse(Files.readString(timeline).contains(secret), "the secret is in " + timeline);
    }

    @Test(dataProvider = "arches")
    public void shellCommandsGiveOutputAndExitStatus(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        try (Machine m = Machine.start(guest.spec("shell", "shell").build())) {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            ShellSession sh = m.console().shell();
            long t0 = System.nanoTime();
            ShellResult r = sh.run("echo hello; uname -m");
            timing(arch, "first shell command", t0);
            assertEquals(r.exitStatus(), 0);
            assertEquals(r.output(), "hello\n" + arch.id());
            ShellResult missing = sh.run("ls /no-such-file");
            assertTrue(missing.exitStatus() != 0);
            assertTrue(missing.output().contains("No such file"), missing.output());
            assertEquals(sh.run("(exit 7)").exitStatus(), 7);
            assertEquals(sh.run("printf no-newline").output(), "no-newline");
            assertEquals(sh.run("cat /proc/cmdline").output(), m.spec().kernelCommandLine());
            if (arch == Arch.AARCH64) {
                // Page-table isolation makes TCG flush its TLB on every kernel entry: it must be off.
                ShellResult kpti = sh.run("dmesg | grep -c 'detected: Kernel page table isolation'");
                assertEquals(kpti.output(), "0", "the kernel isolated its page tables");
            }
        }
    }

    /**
     * The vCPU's wait for a host CPU is sampled: with two busy loops per host core competing with
     * it while the guest computes for 6 s, the guest waits for seconds, and never longer than the
     * boot took.
     */
    @Test
    public void theGuestsWaitForAHostCpuIsSampled() throws IOException, InterruptedException {
        BusyboxGuest guest = BusyboxGuest.of(Arch.X86_64);
        Path dir;
        java.util.List<Process> loops = new java.util.ArrayList<>();
        try (Machine m = Machine.start(guest.spec("host-wait", "shell").build())) {
            dir = m.artifacts().dir();
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            ShellSession sh = m.console().shell();
            int n = 2 * Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < n; i++) loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            long t0 = System.nanoTime();
            // A time, not a count: a fast host finishes any count before the loops get in its way.
            String out = sh.run("timeout 6 sh -c 'while :; do :; done'; echo done").output();
            assertTrue(out.endsWith("done"), out);
            timing(Arch.X86_64, "6 s guest loop beside " + n + " host loops", t0);
        } finally {
            for (Process p : loops) p.destroyForcibly().waitFor();
        }
        org.initrdharness.report.milestones.HostWait w = org.initrdharness.report.milestones.HostWait.read(dir);
        assertFalse(w.isEmpty(), "no " + org.initrdharness.report.milestones.HostWait.FILE + " in " + dir);
        var last = w.samples().get(w.samples().size() - 1);
        System.out.printf(Locale.ROOT, "waited %.2f s of %.2f s%n", last.waited(), last.seconds());
        assertTrue(last.waited() > 1.0, "the vCPU waited only " + last.waited() + " s beside the busy loops");
        assertTrue(last.waited() < last.seconds(), last.toString());
    }

    @Test(dataProvider = "arches")
    public void screendumpIsAValidPng(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        try (Machine m = Machine.start(guest.spec("screendump", "shell").display(Display.VGA).build())) {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            Path png = m.artifacts().screenshot("screen");
            m.qmp().screendump(png);
            byte[] head = new byte[8];
            System.arraycopy(Files.readAllBytes(png), 0, head, 0, 8);
            assertEquals(head, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " is not readable as an image");
            System.out.println(arch + " screendump " + img.getWidth() + "x" + img.getHeight() + ", " + Files.size(png) + " bytes");
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0);
        }
    }

    @Test(dataProvider = "arches")
    public void hotPluggedDiskIsSeenAndUnplugged(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        Path base = baseImage("hotplug-" + arch.id());
        String before = sha256(base);
        try (Machine m = Machine.start(guest.spec("hotplug", "shell").build())) {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            ShellSession sh = m.console().shell();
            assertEquals(sh.run("ls /sys/block | grep -c vd").output(), "0");
            long t0 = System.nanoTime();
            String id = m.hotplug(Disk.raw(base, "hotdisk"));
            // The guest may need a moment: poll inside the guest, bounded.
            ShellResult seen = sh.run("for i in $(seq 1 100); do [ -e /sys/block/vda ] && break; sleep 0.2; done;"
                    + " cat /sys/block/vda/serial", Duration.ofSeconds(60));
            timing(arch, "hot-plugged disk seen", t0);
            assertEquals(seen.output(), "hotdisk");
            assertEquals(sh.run("head -c 12 /dev/vda").output(), "initrd-harne");
            assertEquals(sh.run("echo overwritten > /dev/vda && sync && head -c 11 /dev/vda").output(), "overwritten");
            m.unplug(id, Duration.ofSeconds(60));
            ShellResult gone = sh.run("for i in $(seq 1 100); do [ -e /sys/block/vda ] || break; sleep 0.2; done;"
                    + " ls /sys/block | grep -c vd", Duration.ofSeconds(60));
            assertEquals(gone.output(), "0");
        }
        assertEquals(sha256(base), before, "the base image was written");
    }

    @Test(dataProvider = "arches")
    public void bootDisksWriteToOverlaysNeverToTheirBase(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        Path raw = baseImage("overlay-raw-" + arch.id());
        String rawBefore = sha256(raw);
        try (Machine m = Machine.start(guest.spec("overlay", "shell").disk(Disk.raw(raw, "rawdisk"))
                .emptyDisk(EmptyDisk.ofMiB("scratch", 16)).build())) {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            ShellSession sh = m.console().shell();
            assertEquals(sh.run("cat /sys/block/vda/serial; echo; cat /sys/block/vdb/serial").output(), "rawdisk\nscratch");
            assertEquals(sh.run("cat /sys/block/vdb/size").output(), Long.toString(16 * 2048));
            sh.run("echo changed-by-the-guest > /dev/vda && sync").orThrow();
            assertEquals(sh.run("head -c 20 /dev/vda").output(), "changed-by-the-guest");
        }
        assertEquals(sha256(raw), rawBefore, "the base image was written");
    }

    /** An 8 MiB raw image starting with a known text. */
    private static Path baseImage(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "test-disks").toAbsolutePath());
        Path p = dir.resolve(name + ".img");
        byte[] b = new byte[8 * 1024 * 1024];
        byte[] text = "initrd-harness test disk\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, b, 0, text.length);
        Files.write(p, b);
        return p;
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
