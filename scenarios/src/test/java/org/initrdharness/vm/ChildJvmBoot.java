package org.initrdharness.vm;

import java.time.Duration;

/**
 * Run in a child JVM by {@link MachineLifecycleTest}: boots a guest, prints QEMU's pid and
 * waits to be killed.
 */
public final class ChildJvmBoot {
    public static void main(String[] args) throws Exception {
        Arch arch = Arch.parse(args[0]);
        Machine m = Machine.start(BusyboxGuest.of(arch).spec("sigkill", "shell").build());
        m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
        System.out.println("QEMU-PID " + m.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
