package org.initrdharness.vm;

import static org.awaitility.Awaitility.await;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.testng.annotations.Test;

/** No QEMU outlives its machine: after close, after a failure inside the test, after its JVM is SIGKILLed. */
public class MachineLifecycleTest {

    /** aarch64 boots fastest under TCG, and the lifeline does not depend on the arch. */
    private static final Arch ARCH = Arch.AARCH64;

    /**
     * Waits until no live process has this pid; fails naming it and what should have ended it. The
     * limits are written for TCG and scale as the machine's own deadlines do (accelerator,
     * INITRD_HARNESS_TIMEOUT_FACTOR).
     */
    private static void assertGoneWithin(long pid, Duration d, String after) {
        await("QEMU " + pid + " to end " + after).atMost(d).pollInterval(Duration.ofMillis(50))
                .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    public void closeEndsQemuAndIsIdempotent() throws Exception {
        Machine m = Machine.start(BusyboxGuest.of(ARCH).spec("close", "shell").build());
        m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
        long pid = m.pid().orElseThrow();
        Timeouts timeouts = m.timeouts();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        long t0 = System.nanoTime();
        m.close();
        System.out.printf(Locale.ROOT, "close took %.2f s%n", (System.nanoTime() - t0) / 1e9);
        assertGoneWithin(pid, timeouts.scale(Duration.ofSeconds(5)), "after close()");
        m.close();
        assertFalse(m.isRunning());
    }

    @Test
    public void failureInsideTheTestStillEndsQemu() throws Exception {
        long[] pid = {-1};
        Timeouts[] timeouts = {null};
        AssertionError e = expectThrows(AssertionError.class, () -> {
            try (Machine m = Machine.start(BusyboxGuest.of(ARCH).spec("failed-test", "shell").build())) {
                pid[0] = m.pid().orElseThrow();
                timeouts[0] = m.timeouts();
                m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
                assertEquals(m.console().shell().run("echo 1").output(), "2");
            }
        });
        assertTrue(e.getMessage().contains("expected [2]"), e.getMessage());
        assertTrue(pid[0] > 0);
        assertGoneWithin(pid[0], timeouts[0].scale(Duration.ofSeconds(5)), "after a failed test");
    }

    @Test
    public void killedQemuReportsItsStatus() throws Exception {
        try (Machine m = Machine.start(BusyboxGuest.of(ARCH).spec("kill", "quiet").build())) {
            m.console().expect("HARNESS-INIT", Duration.ofSeconds(60));
            m.kill();
            assertFalse(m.isRunning());
            assertEquals(m.exitStatus().getAsInt(), 137);
            BootFailure f = expectThrows(BootFailure.class, () -> m.console().expect("never", Duration.ofSeconds(30)));
            assertEquals(f.kind(), BootFailure.Kind.GUEST_EXITED);
            assertTrue(f.getMessage().contains("status 137"), f.getMessage());
        }
    }

    @Test
    public void shutdownOfAGuestThatIgnoresThePowerButtonEndsInAKill() throws Exception {
        try (Machine m = Machine.start(BusyboxGuest.of(ARCH).spec("shutdown", "shell").build())) {
            m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
            long t0 = System.nanoTime();
            int status = m.shutdown(Duration.ofSeconds(2)); // busybox sh has no power-button handler
            System.out.printf(Locale.ROOT, "shutdown took %.2f s, status %d%n", (System.nanoTime() - t0) / 1e9, status);
            assertEquals(status, 137);
            assertFalse(m.isRunning());
            assertTrue(m.timeline().format().contains("killing QEMU"), m.timeline().format());
        }
    }

    @Test
    public void sigkilledJvmTakesItsQemuAlong() throws Exception {
        // Build the initrd here, so the child finds it ready; its machine's deadlines scale as this one's would.
        MachineSpec spec = BusyboxGuest.of(ARCH).spec("sigkill", "shell").build();
        Timeouts timeouts = Timeouts.of(AcceleratorProbe.choose(spec).accelerator(), spec);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ChildJvmBoot.class.getName(), ARCH.id()))
                .redirectErrorStream(true).start();
        long qemu = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("child: " + line);
                if (line.startsWith("QEMU-PID ")) {
                    qemu = Long.parseLong(line.substring(9).trim());
                    break;
                }
            }
            assertTrue(qemu > 0, "the child JVM did not boot a guest");
            assertTrue(ProcessHandle.of(qemu).map(ProcessHandle::isAlive).orElse(false));
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.waitFor();
            assertEquals(child.exitValue(), 137);
            long t0 = System.nanoTime();
            assertGoneWithin(qemu, timeouts.scale(Duration.ofSeconds(10)), "after its JVM was SIGKILLed");
            System.out.printf(Locale.ROOT, "QEMU gone %.2f s after its JVM was SIGKILLed%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            child.destroyForcibly();
            if (qemu > 0) ProcessHandle.of(qemu).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
