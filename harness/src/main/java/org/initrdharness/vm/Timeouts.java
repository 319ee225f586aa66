package org.initrdharness.vm;

import java.time.Duration;
import java.util.Locale;

/**
 * Scales deadlines written for TCG (the baseline) to the accelerator in use, the machine's own
 * factor and the user's override: the system property {@value #PROPERTY} or the environment
 * variable {@value #ENV}. A slow CI machine sets the override instead of editing tests.
 *
 * @param factor what every deadline is multiplied by
 */
public record Timeouts(double factor) {
    public static final String PROPERTY = "initrd-harness.timeout-factor";
    public static final String ENV = "INITRD_HARNESS_TIMEOUT_FACTOR";

    public Timeouts {
        if (!(factor > 0)) throw new IllegalArgumentException("timeout factor must be positive, not " + factor);
    }

    /** For a machine on {@code accelerator} with its own {@code specFactor}, times the override. */
    public static Timeouts of(Accelerator accelerator, double specFactor) {
        return new Timeouts(accelerator.timeoutFactor() * specFactor * override());
    }

    /** The user's override, 1.0 when none is set. */
    public static double override() {
        String v = System.getProperty(PROPERTY);
        String source = "system property " + PROPERTY;
        if (v == null || v.isBlank()) {
            v = System.getenv(ENV);
            source = "environment variable " + ENV;
        }
        if (v == null || v.isBlank()) return 1.0;
        try {
            double d = Double.parseDouble(v.trim());
            if (d > 0) return d;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(source + " is '" + v + "': give a positive number such as 2.5");
    }

    /** The deadline for {@code baseline} on this machine. */
    public Duration scale(Duration baseline) {
        return Duration.ofNanos((long) Math.ceil(baseline.toNanos() * factor));
    }

    /** A deadline {@code baseline} from now on this machine. */
    public Deadline deadline(Duration baseline) {
        return Deadline.after(baseline, this);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "x%.2f", factor);
    }
}
