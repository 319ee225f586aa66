package org.initrdharness.scenarios.matrix.budget;

import java.util.Locale;

/**
 * How much slower than the baseline a milestone may come before it is a regression: the larger
 * of a share of the baseline and a fixed number of seconds. The defaults come from repeated
 * boots of one cell on the project's 2-core TCG machines (see the README's Reports section).
 *
 * @param relative share of the baseline's time (0.25: 25 %)
 * @param seconds  seconds, for short times where a share is less than the jitter
 * @param initrd   share of the baseline initrd's size (builds are reproducible: growth is real)
 */
public record NoiseMargin(double relative, double seconds, double initrd) {
    public static final NoiseMargin DEFAULT = new NoiseMargin(0.25, 3.0, 0.02);

    /** The time above which {@code baseline} seconds became a regression. */
    public double limit(double baseline) {
        return baseline + Math.max(baseline * relative, seconds);
    }

    public long limitBytes(long baseline) {
        return (long) Math.floor(baseline * (1 + initrd));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f %% or %.1f s, whichever is more; initrd %.0f %%", relative * 100, seconds,
                initrd * 100);
    }
}
