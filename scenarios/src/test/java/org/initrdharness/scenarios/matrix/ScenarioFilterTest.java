package org.initrdharness.scenarios.matrix;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.List;
import java.util.Set;
import org.initrdharness.scenarios.EmergencyShellScenario;
import org.initrdharness.scenarios.LegacyHooksScenario;
import org.initrdharness.scenarios.ScenarioCatalog;
import org.initrdharness.scenarios.SwitchRootScenario;
import org.testng.annotations.Test;

public class ScenarioFilterTest {

    @Test
    public void noNamesLetEveryScenarioThrough() {
        ScenarioFilter f = ScenarioFilter.parse(List.of(), ScenarioCatalog.all());
        assertTrue(f.admits(SwitchRootScenario.class));
        assertEquals(f.methodsOf(SwitchRootScenario.class), Set.of());
    }

    @Test
    public void aClassRunsAllItsTestsAndATestOnlyItself() {
        ScenarioFilter f = ScenarioFilter.parse(List.of("LegacyHooksScenario",
                "EmergencyShellScenario.missingRootDiskRecoversAfterHotplugWithoutReboot"), ScenarioCatalog.all());
        assertTrue(f.admits(LegacyHooksScenario.class));
        assertTrue(f.admits(EmergencyShellScenario.class));
        assertFalse(f.admits(SwitchRootScenario.class));
        assertEquals(f.methodsOf(LegacyHooksScenario.class), Set.of());
        assertEquals(f.methodsOf(EmergencyShellScenario.class), Set.of("missingRootDiskRecoversAfterHotplugWithoutReboot"));
    }

    @Test
    public void aClassNamedAloneWinsOverItsSingleTests() {
        ScenarioFilter f = ScenarioFilter.parse(List.of("SwitchRootScenario.rootByUuidReachesStage2",
                "SwitchRootScenario"), ScenarioCatalog.all());
        assertEquals(f.methodsOf(SwitchRootScenario.class), Set.of());
    }

    @Test
    public void anUnknownClassIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> ScenarioFilter.parse(List.of("NoSuchScenario.x"), ScenarioCatalog.all()));
        assertTrue(e.getMessage().contains("NoSuchScenario"), e.getMessage());
        assertTrue(e.getMessage().contains("SwitchRootScenario"), e.getMessage());
    }
}
