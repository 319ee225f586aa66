package org.initrdharness.scenarios.matrix;

/**
 * What one scenario test did on one release and arch.
 *
 * @param scenario  the scenario class's simple name
 * @param release   "bookworm" or "trixie"
 * @param arch      "x86_64" or "aarch64"
 * @param test      the test method
 * @param verdict   pass, fail or skip
 * @param seconds   wall time of the test
 * @param artifacts where its console logs, timelines and replay commands are (null if none)
 * @param message   why it failed or was skipped (null when it passed)
 */
public record TestOutcome(String scenario, String release, String arch, String test, Verdict verdict, double seconds,
        String artifacts, String message) {

    /** "trixie/x86_64": the summary table's column. */
    public String column() {
        return MatrixCell.column(release, arch);
    }

    /** "SwitchRootScenario[trixie/x86_64].rootByUuidReachesStage2". */
    public String fullName() {
        return scenario + "[" + column() + "]." + test;
    }
}
