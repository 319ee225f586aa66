package org.initrdharness.scenarios.matrix.budget;

/**
 * Limits for the boots of one scenario on one release and arch ("*" for any). Times are seconds
 * since QEMU started under TCG on the project's 2-core machines, scaled like every deadline
 * ({@code INITRD_HARNESS_TIMEOUT_FACTOR}); null where there is no limit.
 *
 * @param scenario    the scenario class's simple name, or "*"
 * @param release     "bookworm", "trixie" or "*"
 * @param arch        "x86_64", "aarch64" or "*"
 * @param stage2      time to stage 2
 * @param prompt      time to the first prompt
 * @param initrdBytes the initrd's size
 */
public record Budget(String scenario, String release, String arch, Double stage2, Double prompt, Long initrdBytes) {
    static final String ANY = "*";

    boolean matches(String scenario, String release, String arch) {
        return fits(this.scenario, scenario) && fits(this.release, release) && fits(this.arch, arch);
    }

    /** How exactly it names a result: a named scenario counts most, then release, then arch. */
    int specificity() {
        return (ANY.equals(scenario) ? 0 : 4) + (ANY.equals(release) ? 0 : 2) + (ANY.equals(arch) ? 0 : 1);
    }

    private static boolean fits(String pattern, String value) {
        return ANY.equals(pattern) || pattern.equals(value);
    }
}
