package org.initrdharness.scenarios;

import java.util.List;

/** Every scenario class the matrix knows; suites pick from these by TestNG group. */
public final class ScenarioCatalog {
    private ScenarioCatalog() {
    }

    public static List<Class<?>> all() {
        return List.of(SwitchRootScenario.class, EmergencyShellScenario.class, LockedEmergencyScenario.class,
                LegacyHooksScenario.class, KernelModuleScenario.class, Stage1NetworkingScenario.class,
                LuksKeyfileScenario.class, LuksKeyDeviceScenario.class, LuksPassphraseScenario.class,
                CredentialsScenario.class, LvmRootScenario.class, LuksTpm2Scenario.class,
                SshUnlockScenario.class, ShutdownInitrdScenario.class,
                MdRaidRootScenario.class, BtrfsRaidRootScenario.class, StackedStorageScenario.class);
    }
}
