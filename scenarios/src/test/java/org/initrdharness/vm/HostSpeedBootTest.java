package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import org.testng.annotations.Test;

/** The calibration boot for real: the x86_64 kernel alone under TCG to its root panic. */
public class HostSpeedBootTest {

    @Test
    public void theCalibrationBootReachesThePanicAndGivesAFactor() throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(Arch.X86_64);
        double seconds = HostSpeed.measure(Arch.X86_64, guest.kernel);
        HostSpeed.Calibration c = HostSpeed.of(Arch.X86_64, seconds, "measured");
        System.out.println("host speed: " + c.describe());
        assertTrue(seconds > 0.2, "a boot takes time: " + seconds);
        assertEquals(c.factor(), Math.min(HostSpeed.MAX, Math.max(HostSpeed.MIN, seconds / c.reference())), 1e-9);
    }
}
