package org.initrdharness.scenarios.matrix.budget;

import java.util.Locale;

/**
 * How much slower than the baseline a milestone may come before it is a regression: the larger
 * of a share of the baseline and a fixed number of seconds. The default comes from unchanged
 * boots of one cell (SwitchRootScenario, bookworm/x86_64, the same kernel and initrd) one after
 * another on the project's 2-core TCG machine while other sessions' guests ran (load average
 * 6-8): stage 2 came 11.1-19.4 s after QEMU started, up to 55 % later than the 12.5 s of the run
 * taken as baseline. The same boot with a stage-1 unit that sleeps 5 s came at 20.5 and 22.5 s.
 *
 * <p>Own times (a milestone's time less the guest's wait for a host CPU) vary much less: the same
 * cell with the same kernel and initrd, booted 12 times at load average 6-11 with 0, 1 or 3 busy
 * loops beside it, reached stage 2 after 11.7-63.2 s but 8.9-13.0 s of its own; with a stage-1
 * unit that sleeps 5 s (beside fsck, so 3-4 s later), 14.1-71.5 s and 13.1-16.2 s. Against a baseline from an unloaded boot
 * (8.9-10.4 s of its own) the own-time margin of 25 % or 2.5 s flagged every slowed boot and
 * 5 of 44 pairs of unchanged ones.
 *
 * @param relative    share of the baseline's time (0.6: 60 %)
 * @param seconds     seconds, for short times where a share is less than the jitter
 * @param ownRelative the same for own times
 * @param ownSeconds  the same for own times
 * @param initrd      share of the baseline initrd's size (builds are reproducible: growth is real)
 */
public record NoiseMargin(double relative, double seconds, double ownRelative, double ownSeconds, double initrd) {
    public static final NoiseMargin DEFAULT = new NoiseMargin(0.6, 5.0, 0.25, 2.5, 0.02);

    /** The time above which {@code baseline} seconds became a regression. */
    public double limit(double baseline) {
        return baseline + Math.max(baseline * relative, seconds);
    }

    /** The own time above which a baseline's own {@code baseline} seconds became a regression. */
    public double ownLimit(double baseline) {
        return baseline + Math.max(baseline * ownRelative, ownSeconds);
    }

    public long limitBytes(long baseline) {
        return (long) Math.floor(baseline * (1 + initrd));
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.0f %% or %.1f s, whichever is more (own times: %.0f %% or %.1f s); initrd %.0f %%",
                relative * 100, seconds, ownRelative * 100, ownSeconds, initrd * 100);
    }
}
