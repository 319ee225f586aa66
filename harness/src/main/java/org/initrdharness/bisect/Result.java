package org.initrdharness.bisect;

import java.util.List;
import java.util.SortedSet;

/**
 * How a search ended.
 *
 * @param outcome  see {@link Outcome}
 * @param culprits FOUND: the smallest set of deltas that turns the good boot bad (sorted);
 *                 OUT_OF_BOOTS: the smallest set seen bad so far; FLAKY: the set whose boots
 *                 disagreed; else empty
 * @param taken    the deltas the hybrid of {@code culprits} takes (parents included)
 * @param steps    every boot, in order
 * @param notes    what the search found on the way (interactions, disagreements), in order
 */
public record Result(Outcome outcome, List<Integer> culprits, SortedSet<Integer> taken, List<Step> steps,
                     List<String> notes) {

    public enum Outcome {
        /** A minimal set was found and booted bad on its own. */
        FOUND,
        /** The good initrd did not boot: nothing to bisect. */
        GOOD_FAILS,
        /** The bad initrd booted: nothing to bisect. */
        BAD_BOOTS,
        /** One hybrid booted both good and bad: the verdicts cannot be trusted. */
        FLAKY,
        /** The boot budget ran out first. */
        OUT_OF_BOOTS
    }

    public Result {
        culprits = List.copyOf(culprits);
        steps = List.copyOf(steps);
        notes = List.copyOf(notes);
    }

    /** First boots of the good and the bad initrd themselves (the bad one only when no hybrid booted bad). */
    public int endpointBoots() {
        return (int) steps.stream().filter(s -> !s.again()
                && (s.why().equals(Search.GOOD_ENDPOINT) || s.why().equals(Search.BAD_ENDPOINT))).count();
    }

    /** Boots of the search proper, the endpoints' first boots left out. */
    public int searchBoots() {
        return steps.size() - endpointBoots();
    }
}
