package org.initrdharness.vm;

import java.time.Duration;
import java.util.Locale;

/**
 * Scales deadlines written for TCG (the baseline) to the accelerator in use, the machine's own
 * factor and the host's speed: measured under TCG by {@link HostSpeed}, unless the user
 * overrides it with the system property {@value #PROPERTY} or the environment variable {@value #ENV}.
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

    /** For {@code spec}'s machine on {@code accelerator}: the override when set, else on TCG the measured host speed. */
    public static Timeouts of(Accelerator accelerator, MachineSpec spec) {
        double host = overridden() ? override() : accelerator == Accelerator.TCG ? HostSpeed.factor(spec) : 1.0;
        return new Timeouts(accelerator.timeoutFactor() * spec.timeoutFactor() * host);
    }

    /** Whether the user set a factor, which then replaces the measured host speed. */
    public static boolean overridden() {
        String p = System.getProperty(PROPERTY);
        String e = System.getenv(ENV);
        return (p != null && !p.isBlank()) || (e != null && !e.isBlank());
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
