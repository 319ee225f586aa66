package org.initrdharness.scenarios.matrix;

public enum Verdict {
    /** FLAKY: failed, then passed when booted once more in a fresh guest; never counted as a pass. */
    PASS, FAIL, SKIP, FLAKY;

    /** The verdict of a cell from its tests' verdicts: any failure fails it, then any flake, all skipped skips it. */
    static Verdict combine(Verdict a, Verdict b) {
        if (a == FAIL || b == FAIL) return FAIL;
        if (a == FLAKY || b == FLAKY) return FLAKY;
        if (a == PASS || b == PASS) return PASS;
        return SKIP;
    }
}
