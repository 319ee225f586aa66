package org.initrdharness.bisect;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.function.Predicate;
import org.testng.annotations.Test;

/** The search on fake boots: a predicate over the taken deltas, no QEMU. */
public class SearchTest {

    /** Boots that answer {@code bad}, counting and keeping what was asked. */
    private static final class FakeBoots implements Search.Trials, Search.Listener {
        final Predicate<SortedSet<Integer>> bad;
        final List<SortedSet<Integer>> booted = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        FakeBoots(Predicate<SortedSet<Integer>> bad) {
            this.bad = bad;
        }

        @Override
        public Verdict boot(int number, SortedSet<Integer> taken, String why) {
            booted.add(taken);
            return bad.test(taken) ? Verdict.bad("fake", 0) : Verdict.good("fake", 0);
        }

        @Override
        public void step(Step step) {}

        @Override
        public void note(String note) {
            notes.add(note);
        }
    }

    private static Result search(int n, FakeBoots boots) throws Exception {
        return new Search(n, boots, boots, 64).run();
    }

    @Test
    public void oneCulpritAnywhereAmong200InAtMost10Boots() throws Exception {
        int n = 200;
        // The bad initrd, halving, then the last one alone or the good initrd (never both).
        int bound = 1 + (int) Math.ceil(Math.log(n) / Math.log(2)) + 1;
        assertEquals(bound, 10);
        int worst = 0;
        for (int culprit = 0; culprit < n; culprit++) {
            int c = culprit;
            FakeBoots boots = new FakeBoots(s -> s.contains(c));
            Result r = search(n, boots);
            assertEquals(r.outcome(), Result.Outcome.FOUND, "culprit " + c + ": " + r.notes());
            assertEquals(r.culprits(), List.of(c));
            assertTrue(r.steps().size() <= bound, "culprit " + c + " took " + r.steps().size() + " boots, more than " + bound);
            assertEquals(boots.booted.size(), r.steps().size());
            assertTrue(r.notes().isEmpty(), r.notes().toString());
            worst = Math.max(worst, r.steps().size());
        }
        System.out.println("one culprit among " + n + ": at most " + worst + " boots (bound " + bound + ")");
    }

    @Test
    public void twoDeltasNeededTogetherAreFoundAndSaidToBeNeededTogether() throws Exception {
        FakeBoots boots = new FakeBoots(s -> s.contains(17) && s.contains(150));
        Result r = search(200, boots);
        assertEquals(r.outcome(), Result.Outcome.FOUND, r.notes().toString());
        assertEquals(r.culprits(), List.of(17, 150));
        assertTrue(r.notes().stream().anyMatch(x -> x.contains("needs several deltas together")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(x -> x.contains("needs all 2 deltas together")), r.notes().toString());
        System.out.println("two deltas together among 200: " + r.steps().size() + " boots");
    }

    @Test
    public void aBootThatLiesOnceIsCaughtAsFlaky() throws Exception {
        // Delta 37 breaks the boot, but the second boot (the first half of 200, which holds it) says good.
        int[] calls = {0};
        FakeBoots boots = new FakeBoots(s -> ++calls[0] != 2 && s.contains(37));
        Result r = search(200, boots);
        assertEquals(r.outcome(), Result.Outcome.FLAKY, r.notes().toString());
        SortedSet<Integer> lied = boots.booted.get(1);
        assertEquals(Set.copyOf(r.culprits()), Set.copyOf(lied), "the set named flaky is the one that lied");
        assertTrue(r.steps().stream().anyMatch(Step::again), "a disagreeing verdict is booted again");
        assertTrue(r.notes().stream().anyMatch(x -> x.startsWith("flaky: the hybrid of step 2 ")), r.notes().toString());
        // Both halves of a seeming interaction are booted twice: the lying half shows at once, not
        // after delta debugging has run through the rest.
        assertTrue(r.steps().size() <= 2 + 8 + 1 + 1 + 1, r.steps().size() + " boots");
        System.out.println("a lying boot: flaky after " + r.steps().size() + " boots; " + r.notes());
    }

    @Test
    public void aDeltaThatUndoesAnotherIsReportedAsNotMonotone() throws Exception {
        // Delta 10 breaks the boot, but the first 50 deltas together without delta 199 undo it.
        FakeBoots boots = new FakeBoots(s -> s.contains(10) && !(s.containsAll(range(0, 50)) && !s.contains(199)));
        Result r = search(200, boots);
        assertEquals(r.outcome(), Result.Outcome.FOUND, r.notes().toString());
        assertEquals(r.culprits(), List.of(10));
        assertTrue(r.notes().stream().anyMatch(x -> x.contains("delta 100 is spare")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(x -> x.contains("the failure is not monotone")), r.notes().toString());
        assertTrue(r.steps().stream().anyMatch(Step::again), "the disagreeing verdict is booted again");
        System.out.println("a delta undone by others: " + r.steps().size() + " boots; " + r.notes());
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(i);
        return out;
    }

    @Test
    public void aGoodInitrdThatFailsIsBootedWhenNoHybridBootedGood() throws Exception {
        Result r = search(10, new FakeBoots(s -> true));
        assertEquals(r.outcome(), Result.Outcome.GOOD_FAILS);
        // The bad initrd, halvings down to the first entry (all bad), then the good initrd.
        assertTrue(r.steps().size() <= 1 + 4 + 1, r.steps().size() + " boots");
        assertEquals(r.steps().get(r.steps().size() - 1).why(), Search.GOOD_ENDPOINT);
        assertEquals(r.endpointBoots(), 2);
    }

    @Test
    public void aBadInitrdThatBootsEndsAfterOneBoot() throws Exception {
        Result r = search(10, new FakeBoots(s -> false));
        assertEquals(r.outcome(), Result.Outcome.BAD_BOOTS);
        assertEquals(r.steps().size(), 1);
        assertEquals(r.steps().get(0).why(), Search.BAD_ENDPOINT);
    }

    @Test
    public void theGoodInitrdIsNotBootedWhenAHybridBootedGood() throws Exception {
        FakeBoots boots = new FakeBoots(s -> s.contains(123));
        Result r = search(200, boots);
        assertEquals(r.culprits(), List.of(123));
        assertTrue(r.steps().stream().noneMatch(s -> s.why().equals(Search.GOOD_ENDPOINT)), r.steps().toString());
        assertEquals(r.endpointBoots(), 1);
    }

    @Test
    public void theBudgetEndsTheSearchWithTheSmallestBadSetSeen() throws Exception {
        FakeBoots boots = new FakeBoots(s -> s.contains(5));
        Result r = new Search(200, boots, boots, 4).run();
        assertEquals(r.outcome(), Result.Outcome.OUT_OF_BOOTS);
        assertEquals(r.steps().size(), 4);
        // The bad initrd, then halvings to 100, 50 and 25 entries.
        assertTrue(r.culprits().contains(5) && r.culprits().size() == 25, r.culprits().toString());
    }

    @Test
    public void entriesThatBreakOnlyHybridsAreNotBlamedWhenTheBadInitrdBoots() throws Exception {
        // A unit without its program (delta 3 without delta 60) breaks a hybrid; the whole bad side boots.
        FakeBoots boots = new FakeBoots(s -> s.contains(3) && !s.contains(60));
        Result r = search(100, boots);
        assertEquals(r.outcome(), Result.Outcome.BAD_BOOTS, r.notes().toString());
        assertEquals(r.steps().size(), 1, "the bad initrd is booted first: " + r.steps());
    }
}
