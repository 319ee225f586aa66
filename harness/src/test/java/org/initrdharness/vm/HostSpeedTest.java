package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Path;
import org.testng.annotations.Test;

/** The measured host speed as a deadline factor, and the override that replaces it; no boot. */
public class HostSpeedTest {

    @Test
    public void theFactorIsTheCalibrationBootOverTheReferenceWithinBounds() {
        assertEquals(HostSpeed.of(Arch.X86_64, 6.0, "measured").factor(), 2.0, 1e-9);
        assertEquals(HostSpeed.of(Arch.AARCH64, 1.5, "measured").factor(), 1.0, 1e-9, "a fast host keeps the written deadlines");
        assertEquals(HostSpeed.of(Arch.X86_64, 0.1, "measured").factor(), HostSpeed.MIN);
        assertEquals(HostSpeed.of(Arch.X86_64, 600, "measured").factor(), HostSpeed.MAX);
        assertTrue(HostSpeed.of(Arch.X86_64, 6.0, "measured").describe().startsWith("x86_64 x2.00 (calibration boot 6.0 s,"));
    }

    @Test
    public void theOverrideReplacesTheMeasurementWithoutABoot() {
        String before = System.getProperty(Timeouts.PROPERTY);
        System.setProperty(Timeouts.PROPERTY, "2.5");
        try {
            // A kernel that does not exist: measuring would fail and leave a "not measured" calibration.
            MachineSpec spec = MachineSpec.builder(Arch.AARCH64).name("override").kernel(Path.of("/nonexistent/vmlinuz"))
                    .timeoutFactor(2).build();
            assertEquals(Timeouts.of(Accelerator.TCG, spec).factor(), 5.0, 1e-9);
            assertEquals(Timeouts.of(Accelerator.KVM, spec).factor(), 0.3 * 2 * 2.5, 1e-9);
            assertTrue(!HostSpeed.calibrations().containsKey("aarch64"), "no calibration with the override set: "
                    + HostSpeed.calibrations());
            assertTrue(HostSpeed.summary().contains("set by " + Timeouts.ENV), HostSpeed.summary());
        } finally {
            if (before == null) System.clearProperty(Timeouts.PROPERTY);
            else System.setProperty(Timeouts.PROPERTY, before);
        }
    }
}
