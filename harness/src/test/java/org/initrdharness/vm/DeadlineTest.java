package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.assertTrue;

import java.time.Duration;
import org.testng.annotations.Test;

/** Deadlines on a clock the test sets: no sleeping. */
public class DeadlineTest {
    private static final Timeouts X2 = new Timeouts(2.0);
    private static final long S = 1_000_000_000L;

    @Test
    public void scaledOnceWhenMade() {
        Deadline d = Deadline.after(Duration.ofSeconds(10), X2, 5 * S);
        assertEquals(d.remaining(5 * S), Duration.ofSeconds(20));
        assertEquals(d.remaining(15 * S), Duration.ofSeconds(10));
    }

    @Test
    public void remainingIsNeverNegativeAndExpiredFromTheInstantItPasses() {
        Deadline d = Deadline.after(Duration.ofSeconds(1), new Timeouts(1.0), 0);
        assertFalse(d.expired(S - 1));
        assertTrue(d.expired(S));
        assertEquals(d.remaining(3 * S), Duration.ZERO);
    }

    @Test
    public void negativeTimeoutHasPassedAlready() {
        assertTrue(Deadline.after(Duration.ofSeconds(-1), X2, 0).expired(0));
    }

    @Test
    public void earlierOfTwoEitherWayRound() {
        Deadline soon = Deadline.after(Duration.ofSeconds(1), X2, 0);
        Deadline later = Deadline.after(Duration.ofSeconds(2), X2, 0);
        assertSame(soon.earlier(later), soon);
        assertSame(later.earlier(soon), soon);
    }

    @Test
    public void earlierHoldsWhereNanoTimeWrapsAround() {
        Deadline beforeWrap = Deadline.after(Duration.ofSeconds(1), X2, Long.MAX_VALUE - 3 * S);
        Deadline afterWrap = Deadline.after(Duration.ofSeconds(5), X2, Long.MAX_VALUE - 3 * S);
        assertTrue(afterWrap.expiresAt() < 0, "the test wants a deadline past the wrap");
        assertSame(afterWrap.earlier(beforeWrap), beforeWrap);
        assertFalse(afterWrap.expired(Long.MAX_VALUE));
    }

    @Test
    public void describesTimeLeftWithAndWithoutScaling() {
        Deadline d = Deadline.after(Duration.ofSeconds(6), X2, 0);
        assertEquals(d.describe(d.remaining(0)), "12.0 s (6.0 s before scaling x2.00)");
    }

    @Test
    public void timeoutsMakeDeadlinesFromNow() {
        long before = System.nanoTime();
        Deadline d = X2.deadline(Duration.ofSeconds(30));
        long left = d.remaining(before).toSeconds();
        assertTrue(left >= 60 && left < 61, left + " s left");
    }
}
