package org.initrdharness.vm;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A point in time by which something must happen, scaled once by the machine's {@link Timeouts}
 * when it is made. Waits that share one budget pass the same deadline on instead of turning
 * what is left back into an unscaled duration.
 *
 * @param expiresAt the {@link System#nanoTime()} at which it passes
 * @param timeouts  how it was scaled, for messages
 */
public record Deadline(long expiresAt, Timeouts timeouts) {

    public Deadline {
        Objects.requireNonNull(timeouts, "timeouts");
    }

    /** {@code baseline} (written for TCG) from now, scaled by {@code timeouts}; a negative one has passed already. */
    public static Deadline after(Duration baseline, Timeouts timeouts) {
        return after(baseline, timeouts, System.nanoTime());
    }

    static Deadline after(Duration baseline, Timeouts timeouts, long now) {
        return new Deadline(now + timeouts.scale(baseline).toNanos(), timeouts);
    }

    /** What is left, never negative. */
    public Duration remaining() {
        return remaining(System.nanoTime());
    }

    Duration remaining(long now) {
        return Duration.ofNanos(Math.max(0, expiresAt - now));
    }

    public boolean expired() {
        return expired(System.nanoTime());
    }

    boolean expired(long now) {
        return expiresAt - now <= 0;
    }

    /** Whichever of the two passes first. */
    public Deadline earlier(Deadline other) {
        return other.expiresAt - expiresAt < 0 ? other : this;
    }

    /** "12.0 s (6.0 s before scaling x2.00)": how messages show a time left on this deadline. */
    public String describe(Duration left) {
        return String.format(Locale.ROOT, "%.1f s (%.1f s before scaling %s)",
                left.toMillis() / 1000.0, left.toMillis() / 1000.0 / timeouts.factor(), timeouts);
    }
}
