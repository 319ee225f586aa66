package org.initrdharness.scenarios.matrix;

public enum Verdict {
    PASS, FAIL, SKIP;

    /** The verdict of a cell from its tests' verdicts: any failure fails it, all skipped skips it. */
    static Verdict combine(Verdict a, Verdict b) {
        if (a == FAIL || b == FAIL) return FAIL;
        if (a == PASS || b == PASS) return PASS;
        return SKIP;
    }
}
