package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.ShellResult;
import org.initrdharness.vm.console.ShellSession;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Real boots under TCG, one guest at a time, on both arches. */
public class MachineBootTest {

    @DataProvider
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    private static void timing(Arch arch, String what, long t0) {
        System.out.printf(Locale.ROOT, "%s %s: %.2f s%n", arch, what, (System.nanoTime() - t0) / 1e9);
    }

    @Test(dataProvider = "arches")
    public void markerIsSeenAndThePowerOffEndsQemu(Arch arch) throws IOException {
        BusyboxGuest guest = BusyboxGuest.of(arch);
        long t0 = System.nanoTime();
        try (Machine m = Machine.start(guest.spec("marker", "marker").build())) {
            ConsoleMatch match = m.console().waitFor(Pattern.compile("HARNESS-MARKER (\\S+)"), Duration.ofSeconds(60));
            timing(arch, "marker", t0);
            assertEquals(match.group(1), arch.id());
            assertTrue(m.awaitExit(Duration.ofSeconds(30)), "QEMU still running after the guest's power-off");
            timing(arch, "power-off", t0);
            assertEquals(m.exitStatus().getAsInt(), 0);
            assertEquals(m.accelerator(), Accelerator.TCG);
            assertTrue(Files.readString(m.artifacts().consoleLog()).contains("HARNESS-MARKER " + arch.id()));
            assertTrue(Files.readString(m.artifacts().replayScript()).contains(arch.qemuBinary()));
        }
    }
}
