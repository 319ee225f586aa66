package org.initrdharness.scenarios.matrix;

import static org.testng.Assert.assertEquals;

import java.util.List;
import org.testng.annotations.Test;
import picocli.CommandLine;

public class SoakCommandTest {

    private static TestOutcome outcome(Verdict v, double seconds) {
        return new TestOutcome("SwitchRootScenario", "trixie", "x86_64", "rootByLabelReachesStage2", v, seconds, null,
                v == Verdict.FAIL ? "timed out" : null);
    }

    @Test
    public void aTestThatPassedAndFailedIsAFlake() {
        SoakCommand.Tally none = new SoakCommand.Tally(0, 0, 0, List.of());
        SoakCommand.Tally passes = none.add(outcome(Verdict.PASS, 20)).add(outcome(Verdict.PASS, 31));
        assertEquals(passes.verdict(), "pass");
        assertEquals(passes.slowest(), 31.0);
        SoakCommand.Tally flake = passes.add(outcome(Verdict.FAIL, 300));
        assertEquals(flake.verdict(), "flake");
        assertEquals(flake.reasons(), List.of("timed out"));
        assertEquals(none.add(outcome(Verdict.FAIL, 1)).add(outcome(Verdict.FAIL, 1)).verdict(), "fail");
    }

    @Test
    public void badOptionsAreRefusedBeforeAnyBoot() {
        for (String[] args : List.of(new String[] {"--runs", "0"}, new String[] {"--parallel", "0"},
                new String[] {"--suite", "weekly"}, new String[] {"--release", "sid"}, new String[] {"--arch", "mips"})) {
            assertEquals(new CommandLine(new SoakCommand()).execute(args), 2, String.join(" ", args));
        }
    }
}
