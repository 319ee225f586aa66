package org.initrdharness.vm;

import java.nio.file.Path;
import java.time.Duration;

/** Run in a child JVM by {@link TpmMachineTest}: boots a guest with a TPM, prints QEMU's and swtpm's pids, waits to be killed. */
public final class TpmChildJvmBoot {
    public static void main(String[] args) throws Exception {
        Machine m = Machine.start(BusyboxGuest.of(Arch.parse(args[0])).spec("tpm-sigkill", "shell").tpm(Path.of(args[1])).build());
        m.console().expect("HARNESS-SHELL", Duration.ofSeconds(60));
        System.out.println("PIDS " + m.pid().orElseThrow() + " " + m.tpmPid().orElseThrow());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
