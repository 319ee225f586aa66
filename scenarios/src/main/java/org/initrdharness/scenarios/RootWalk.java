package org.initrdharness.scenarios;

import java.time.Duration;
import java.util.List;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.console.ShellResult;

/**
 * Stage 2's root device walked down through /sys in stage 2's shell: what stage 1 assembled
 * under it (device-mapper, md, the disks). The walk starts from the root's major:minor in
 * mountinfo, whatever the root's name.
 */
final class RootWalk {
    /** Sets {@code d} to the root's block device directory in /sys. */
    static final String ROOT_IN_SYS = "d=/sys/dev/block/$(awk '$5 == \"/\" {print $3; exit}' /proc/self/mountinfo)";

    private RootWalk() {}

    /** Waits for stage 2's shell (a boot with {@code Stage2.SHELL_SWITCH}), then runs {@code walk} after {@link #ROOT_IN_SYS}. */
    static ShellResult inStage2Shell(Machine m, String walk) {
        m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
        m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
        return run(m, walk);
    }

    /** Runs {@code walk} after {@link #ROOT_IN_SYS} in a shell that is already there. */
    static ShellResult run(Machine m, String walk) {
        return m.console().shell().run(ROOT_IN_SYS + " && " + walk);
    }

    /** The walk's output, a trimmed line each. */
    static List<String> lines(ShellResult r) {
        return r.output().strip().lines().map(String::strip).toList();
    }
}
