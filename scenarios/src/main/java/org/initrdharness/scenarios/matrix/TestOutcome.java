package org.initrdharness.scenarios.matrix;

/**
 * What one scenario test did on one arch.
 *
 * @param scenario  the scenario class's simple name
 * @param arch      "x86_64" or "aarch64"
 * @param test      the test method
 * @param verdict   pass, fail or skip
 * @param seconds   wall time of the test
 * @param artifacts where its console logs, timelines and replay commands are (null if none)
 * @param message   why it failed or was skipped (null when it passed)
 */
public record TestOutcome(String scenario, String arch, String test, Verdict verdict, double seconds,
        String artifacts, String message) {
}
