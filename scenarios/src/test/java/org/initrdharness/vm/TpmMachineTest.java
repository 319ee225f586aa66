package org.initrdharness.vm;

import static org.awaitility.Awaitility.await;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.Test;

/**
 * A machine's software TPM: the guest's kernel finds a TPM 2.0 on it, and swtpm ends with the
 * machine, after close and after its JVM is SIGKILLed. x86_64 only: Debian's arm64 kernels lack
 * the TIS MMIO driver (CONFIG_TCG_TIS is not set) that QEMU virt's TPM needs.
 */
public class TpmMachineTest {

    private static final Arch ARCH = Arch.X86_64;

    private static void assertGoneWithin(long pid, Duration d, String what) {
        await(what).atMost(d).pollInterval(Duration.ofMillis(50))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    /** Any process still using {@code state}, whatever pid the harness was told: a child of the child counts too. */
    private static void assertNoSwtpmOn(Path state, Duration d) {
        await("no swtpm left on " + state).atMost(d).pollInterval(Duration.ofMillis(50))
                .until(() -> ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine()
                        .map(c -> c.contains("swtpm") && c.contains(state.toString())).orElse(false)));
    }

    @Test
    public void guestSeesTheTpmAndSwtpmEndsWithTheMachine() throws Exception {
        Path state = Files.createTempDirectory("tpm-state-");
        long t0 = System.nanoTime();
        Machine m = Machine.start(BusyboxGuest.of(ARCH).spec("tpm", "shell").tpm(state).build());
        long swtpm;
        Timeouts timeouts = m.timeouts();
        try {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            swtpm = m.tpmPid().orElseThrow();
            ShellResult r = m.console().shell().run("cat /sys/class/tpm/tpm0/tpm_version_major; dmesg | grep -i tpm");
            System.out.printf(Locale.ROOT, "TPM guest at a shell after %.1f s:%n%s%n", (System.nanoTime() - t0) / 1e9, r.output());
            assertTrue(r.output().startsWith("2"), "no TPM 2.0 at /sys/class/tpm/tpm0: " + r.output());
        } finally {
            m.close();
        }
        assertGoneWithin(swtpm, timeouts.scale(Duration.ofSeconds(5)), "swtpm " + swtpm + " to end after close()");
        assertNoSwtpmOn(state, timeouts.scale(Duration.ofSeconds(5)));
        assertTrue(Files.exists(state.resolve("tpm2-00.permall")), "swtpm kept no state in " + state);
        deleteTree(state);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    public void sigkilledJvmTakesItsSwtpmAlong() throws Exception {
        Path state = Files.createTempDirectory("tpm-state-");
        MachineSpec spec = BusyboxGuest.of(ARCH).spec("tpm-sigkill", "shell").build();
        Timeouts timeouts = Timeouts.of(AcceleratorProbe.choose(spec).accelerator(), spec.timeoutFactor());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                TpmChildJvmBoot.class.getName(), ARCH.id(), state.toString())).redirectErrorStream(true).start();
        long qemu = -1;
        long swtpm = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("child: " + line);
                if (line.startsWith("PIDS ")) {
                    String[] w = line.split(" ");
                    qemu = Long.parseLong(w[1]);
                    swtpm = Long.parseLong(w[2]);
                    break;
                }
            }
            assertTrue(swtpm > 0, "the child JVM did not boot a guest with a TPM");
            assertTrue(ProcessHandle.of(swtpm).map(ProcessHandle::isAlive).orElse(false));
            child.destroyForcibly();
            child.waitFor();
            assertEquals(child.exitValue(), 137);
            long t0 = System.nanoTime();
            assertGoneWithin(swtpm, timeouts.scale(Duration.ofSeconds(10)), "swtpm " + swtpm + " to end after its JVM was SIGKILLed");
            assertGoneWithin(qemu, timeouts.scale(Duration.ofSeconds(10)), "QEMU " + qemu + " to end after its JVM was SIGKILLed");
            assertNoSwtpmOn(state, timeouts.scale(Duration.ofSeconds(10)));
            System.out.printf(Locale.ROOT, "swtpm and QEMU gone %.2f s after their JVM was SIGKILLed%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            child.destroyForcibly();
            for (long pid : new long[] {qemu, swtpm}) if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            deleteTree(state);
        }
    }
}
