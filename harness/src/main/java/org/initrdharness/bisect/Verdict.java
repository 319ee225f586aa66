package org.initrdharness.bisect;

import java.nio.file.Path;

/**
 * What one boot said.
 *
 * @param bad       the boot failed (a --fail pattern, panic, timeout, emergency mode, ...)
 * @param reason    one line: what matched, or why it failed
 * @param seconds   wall time of the boot, hybrid written included
 * @param artifacts where its console log and qemu.sh are; null for boots that had none
 */
public record Verdict(boolean bad, String reason, double seconds, Path artifacts) {
    public static Verdict good(String reason, double seconds) {
        return new Verdict(false, reason, seconds, null);
    }

    public static Verdict bad(String reason, double seconds) {
        return new Verdict(true, reason, seconds, null);
    }

    public String word() {
        return bad ? "bad" : "good";
    }
}
