package org.initrdharness.host;

import java.nio.file.Path;
import java.time.Duration;

/** A JVM that runs one long host command (a shell that starts a sleep): killed by a test. */
public final class HostCommandHolder {
    private HostCommandHolder() {
    }

    /** args[0]: where the shell writes its own pid and its sleep's, one per line. */
    public static void main(String[] args) throws Exception {
        Path pids = Path.of(args[0]);
        HostCommand.of(Duration.ofMinutes(10), "sh", "-c",
                "sleep 600 & echo $$ > " + pids + ".tmp; echo $! >> " + pids + ".tmp; mv " + pids + ".tmp " + pids + "; wait").run();
    }
}
