package org.initrdharness.scenarios.matrix.budget;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.vm.Timeouts;

/**
 * The matrix's budgets and baseline, read and checked before any boot so that a bad file stops
 * the run at once, then applied to its outcomes.
 */
public record RegressionCheck(Budgets budgets, Map<String, Regressions.Measured> baseline, NoiseMargin margin,
        double timeFactor) {

    /**
     * @param budgets  a budgets file, or null for the checked-in one
     * @param baseline a previous run's {@code --json}, or null
     * @throws IllegalArgumentException naming the option and file when one cannot be used
     */
    public static RegressionCheck prepare(Path budgets, Path baseline) throws IOException {
        Budgets b;
        if (budgets == null) {
            b = Budgets.checkedIn();
        } else {
            readable("--budgets", budgets);
            try {
                b = Budgets.read(budgets);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--budgets " + e.getMessage());
            }
        }
        Map<String, Regressions.Measured> base = Map.of();
        if (baseline != null) {
            readable("--baseline", baseline);
            try {
                base = Regressions.baseline(baseline);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--baseline " + e.getMessage());
            }
        }
        return new RegressionCheck(b, base, NoiseMargin.DEFAULT, Timeouts.override());
    }

    private static void readable(String option, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such readable file");
        }
    }

    public List<Regression> check(List<TestOutcome> outcomes) {
        return Regressions.check(outcomes, budgets, timeFactor, baseline, margin);
    }
}
