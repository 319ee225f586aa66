package org.initrdharness.bisect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntFunction;

/**
 * Narrows the deltas between a good and a bad initrd down to the smallest set whose hybrid
 * boots bad. The boots come through {@link Trials}, so the search itself is a pure function of
 * their verdicts.
 *
 * <p>Order of work: the bad initrd once (it must fail: a swapped pair costs one boot, and no
 * entry is blamed for breaking hybrids while the bad initrd boots); then halving on the good
 * initrd: a half that boots bad is kept, a half that boots good sends the search into the other
 * half without booting it. The good initrd is booted only when no hybrid booted good (every
 * half bad, down to the first entry): a good hybrid shows that the good initrd boots, as the
 * verdicts are monotone. One culprit costs 1 + ceil(log2 n) boots, plus one when the last
 * entry was reached through a good half and has to be booted alone, or else one for the good
 * initrd: 10 for 200 entries. When that single
 * entry boots good on its own, the failure needs entries together: delta debugging (Zeller's dd
 * with the halves' verdicts remembered) finds the set, then each of its entries is left out once
 * to check that none is spare. Where dd finds both halves good while their union is bad, both
 * are booted a second time before it concludes that the failure needs entries from each: a good
 * verdict that lied shows there, not many boots later.
 *
 * <p>Verdicts are expected to be monotone: taking more of the bad side never makes a boot good
 * again. A verdict that breaks that against an earlier one (a superset of a bad set boots good,
 * a subset of a good set boots bad) is booted again, and so is the earlier one; a set whose two
 * boots disagree is flaky and the search stops there.
 */
public final class Search {

    /** Boots hybrids. */
    public interface Trials {
        /** The deltas a hybrid asked to take {@code requested} really takes (parents and the like). */
        default SortedSet<Integer> effective(SortedSet<Integer> requested) {
            return requested;
        }

        /** Boots the hybrid taking {@code taken}; {@code why} and {@code number} are for its artifacts. */
        Verdict boot(int number, SortedSet<Integer> taken, String why) throws IOException;
    }

    /** Hears each boot as it ends and each finding. */
    public interface Listener {
        void step(Step step);

        void note(String note);
    }

    /** What the endpoints' boots are called: {@link Result#endpointBoots()} counts them. */
    public static final String GOOD_ENDPOINT = "the good initrd";
    public static final String BAD_ENDPOINT = "the bad initrd";

    private final int n;
    /** The delta halving ended on when it booted good alone. */
    private int endedOn = -1;
    private final Trials trials;
    private final Listener listener;
    private final int maxBoots;
    private final IntFunction<String> name;
    private final List<Step> steps = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Verdicts per taken set, in boot order, and the step that first booted it. */
    private final Map<SortedSet<Integer>, List<Verdict>> seen = new LinkedHashMap<>();
    private final Map<SortedSet<Integer>, Integer> firstStep = new LinkedHashMap<>();

    public Search(int deltas, Trials trials, Listener listener, int maxBoots) {
        this(deltas, trials, listener, maxBoots, i -> "delta " + i);
    }

    /** {@code name} says a delta in the notes ("+ /etc/x"). */
    public Search(int deltas, Trials trials, Listener listener, int maxBoots, IntFunction<String> name) {
        if (deltas < 1) throw new IllegalArgumentException("nothing to bisect: the initrds hold the same entries");
        if (maxBoots < 2) throw new IllegalArgumentException("give at least 2 boots (the good initrd and one hybrid)");
        this.n = deltas;
        this.trials = trials;
        this.listener = listener;
        this.maxBoots = maxBoots;
        this.name = name;
    }

    /** Runs the whole search. */
    public Result run() throws IOException {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(i);
        try {
            if (!bad(all, BAD_ENDPOINT)) return end(Result.Outcome.BAD_BOOTS, List.of());
            List<Integer> found = halving(all);
            if (found == null) {
                note(name.apply(endedOn) + ", where halving ended, boots good alone: the failure needs several deltas"
                        + " together (or a boot was flaky); delta debugging follows");
                found = withoutSpares(dd(List.of(), all));
                // Booted already when the verdicts were monotone; otherwise this is the check.
                if (!bad(found, "the set found, alone")) {
                    note("the set found boots good on its own: the verdicts are not monotone in the deltas;"
                            + " take it as a lead, not a proof");
                }
            }
            // No hybrid booted good: the good initrd itself has to show that it does.
            if (!anyGood() && bad(List.of(), GOOD_ENDPOINT)) return end(Result.Outcome.GOOD_FAILS, List.of());
            return end(Result.Outcome.FOUND, found);
        } catch (Flaky f) {
            return end(Result.Outcome.FLAKY, new ArrayList<>(f.set));
        } catch (OutOfBoots o) {
            note("out of boots after " + steps.size() + "; the smallest set seen bad is below");
            return end(Result.Outcome.OUT_OF_BOOTS, smallestBad());
        }
    }

    /**
     * Halving for one culprit: a half booted bad is known bad, the other half of one booted good
     * is only presumed bad. Returns the one delta, or null when it booted good on its own.
     */
    private List<Integer> halving(List<Integer> all) throws IOException {
        List<Integer> c = all;
        boolean known = true;
        String presumed = "";
        while (c.size() > 1) {
            List<Integer> first = c.subList(0, (c.size() + 1) / 2);
            List<Integer> second = c.subList(first.size(), c.size());
            if (bad(first, "first half of " + c.size() + presumed)) {
                c = first;
                known = true;
                presumed = "";
            } else {
                presumed = " (the second half of " + c.size() + ", presumed bad)";
                c = second;
                known = false;
            }
        }
        if (known || bad(c, "the one left, alone")) return c;
        endedOn = c.get(0);
        return null;
    }

    /**
     * Zeller's dd: the smallest subset m of {@code c} such that r + m boots bad, given that
     * r + c does and r alone does not.
     */
    private List<Integer> dd(List<Integer> r, List<Integer> c) throws IOException {
        if (c.size() == 1) return c;
        List<Integer> c1 = c.subList(0, (c.size() + 1) / 2);
        List<Integer> c2 = c.subList(c1.size(), c.size());
        if (bad(union(r, c1), "first half of " + c.size() + with(r))) return dd(r, c1);
        if (bad(union(r, c2), "second half of " + c.size() + with(r))) return dd(r, c2);
        // Both halves good while the whole is bad: an interaction, or a good verdict that lied.
        confirm(union(r, c1), "first half of " + c.size() + with(r) + ", booted good while the whole is bad");
        confirm(union(r, c2), "second half of " + c.size() + with(r) + ", booted good while the whole is bad");
        note("neither half of " + c.size() + " deltas" + with(r) + " boots bad alone, each booted twice: the"
                + " failure needs deltas from both halves (" + range(c1) + " and " + range(c2) + ")");
        List<Integer> m1 = dd(union(r, c2), c1);
        List<Integer> m2 = dd(union(r, m1), c2);
        return union(m1, m2);
    }

    /** Leaves each delta of a set out once; a delta without which the set still boots bad goes. */
    private List<Integer> withoutSpares(List<Integer> found) throws IOException {
        List<Integer> m = new ArrayList<>(found);
        for (Integer x : new ArrayList<>(m)) {
            if (m.size() == 1) break;
            List<Integer> rest = new ArrayList<>(m);
            rest.remove(x);
            if (bad(rest, "the " + m.size() + " found without " + name.apply(x))) {
                m = rest;
                note(name.apply(x) + " is spare: the set boots bad without it");
            }
        }
        if (m.size() > 1) {
            note("the failure needs all " + m.size() + " deltas together: without any one of them the boot is good");
        }
        return m;
    }

    /** Boots a set booted once already a second time; a different verdict is flakiness. */
    private void confirm(List<Integer> requested, String why) throws IOException {
        SortedSet<Integer> taken = Collections.unmodifiableSortedSet(new TreeSet<>(
                trials.effective(new TreeSet<>(requested))));
        List<Verdict> history = seen.get(taken);
        if (history == null || history.size() > 1) return;
        Verdict again = boot(taken, taken, "again: " + why, true);
        if (again.bad() != history.get(0).bad()) throw flaky(taken);
    }

    /** The verdict of the hybrid taking {@code requested}: remembered, or booted now. */
    private boolean bad(List<Integer> requested, String why) throws IOException {
        SortedSet<Integer> asked = Collections.unmodifiableSortedSet(new TreeSet<>(requested));
        SortedSet<Integer> taken = Collections.unmodifiableSortedSet(new TreeSet<>(trials.effective(asked)));
        List<Verdict> history = seen.get(taken);
        if (history != null) return history.get(history.size() - 1).bad();
        Verdict v = boot(asked, taken, why, false);
        int mine = steps.size();
        SortedSet<Integer> against = nearestContradicted(taken, v.bad());
        if (against != null) {
            int other = firstStep.get(against);
            note("step " + mine + " (" + v.word() + ") disagrees with step " + other + ": "
                    + (v.bad() ? "a set within one that booted good boots bad" : "a set holding one that booted bad boots good")
                    + "; both are booted again");
            Verdict again = boot(asked, taken, "again: disagrees with step " + other, true);
            if (again.bad() != v.bad()) throw flaky(taken);
            if (seen.get(against).size() == 1) {
                Verdict before = seen.get(against).get(0);
                Verdict redo = boot(against, against, "again: step " + other + ", which step " + mine
                        + " disagrees with", true);
                if (redo.bad() != before.bad()) throw flaky(against);
            }
            note("both verdicts held when booted again: the failure is not monotone in the deltas (one delta"
                    + " undoes what another breaks); the result may not be the smallest set");
        }
        return v.bad();
    }

    /** Whether any boot so far said good. */
    private boolean anyGood() {
        return seen.values().stream().flatMap(List::stream).anyMatch(v -> !v.bad());
    }

    private Verdict boot(SortedSet<Integer> asked, SortedSet<Integer> taken, String why, boolean again)
            throws IOException {
        if (steps.size() >= maxBoots) throw new OutOfBoots();
        Verdict v = trials.boot(steps.size() + 1, taken, why);
        Step s = new Step(steps.size() + 1, why, asked, taken, v, again);
        steps.add(s);
        seen.computeIfAbsent(taken, k -> new ArrayList<>()).add(v);
        firstStep.putIfAbsent(taken, s.number());
        listener.step(s);
        return v;
    }

    /**
     * The earlier set, closest in size, that this verdict breaks monotonicity with: a bad one
     * inside a set that booted good, or a good one around a set that booted bad. Null if none.
     */
    private SortedSet<Integer> nearestContradicted(SortedSet<Integer> taken, boolean bad) {
        SortedSet<Integer> nearest = null;
        for (Map.Entry<SortedSet<Integer>, List<Verdict>> e : seen.entrySet()) {
            SortedSet<Integer> other = e.getKey();
            if (other.equals(taken)) continue;
            boolean otherBad = e.getValue().get(e.getValue().size() - 1).bad();
            boolean breaks = !bad && otherBad && taken.containsAll(other) || bad && !otherBad && other.containsAll(taken);
            if (breaks && (nearest == null
                    || Math.abs(other.size() - taken.size()) < Math.abs(nearest.size() - taken.size()))) {
                nearest = other;
            }
        }
        return nearest;
    }

    private Flaky flaky(SortedSet<Integer> set) {
        List<Verdict> vs = seen.get(set);
        long bads = vs.stream().filter(Verdict::bad).count();
        note("flaky: the hybrid of step " + firstStep.get(set) + " (" + set.size() + " deltas) booted bad " + bads
                + " and good " + (vs.size() - bads) + " times; its verdicts cannot be trusted, nor the search's");
        return new Flaky(set);
    }

    private List<Integer> smallestBad() {
        SortedSet<Integer> best = null;
        for (Map.Entry<SortedSet<Integer>, List<Verdict>> e : seen.entrySet()) {
            boolean allBad = e.getValue().stream().allMatch(Verdict::bad);
            if (allBad && (best == null || e.getKey().size() < best.size())) best = e.getKey();
        }
        return best == null ? List.of() : new ArrayList<>(best);
    }

    private Result end(Result.Outcome outcome, List<Integer> culprits) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(culprits));
        SortedSet<Integer> taken = outcome == Result.Outcome.FOUND || outcome == Result.Outcome.OUT_OF_BOOTS
                ? trials.effective(new TreeSet<>(sorted)) : new TreeSet<>(sorted);
        return new Result(outcome, sorted, Collections.unmodifiableSortedSet(new TreeSet<>(taken)), steps, notes);
    }

    private void note(String text) {
        notes.add(text);
        listener.note(text);
    }

    private static List<Integer> union(List<Integer> a, List<Integer> b) {
        TreeSet<Integer> s = new TreeSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }

    private static String with(List<Integer> r) {
        return r.isEmpty() ? "" : ", with " + r.size() + " more";
    }

    private String range(List<Integer> c) {
        return c.size() == 1 ? name.apply(c.get(0)) : name.apply(c.get(0)) + " .. " + name.apply(c.get(c.size() - 1));
    }

    private static final class Flaky extends RuntimeException {
        final SortedSet<Integer> set;

        Flaky(SortedSet<Integer> set) {
            super(null, null, false, false);
            this.set = set;
        }
    }

    private static final class OutOfBoots extends RuntimeException {
        OutOfBoots() {
            super(null, null, false, false);
        }
    }
}
