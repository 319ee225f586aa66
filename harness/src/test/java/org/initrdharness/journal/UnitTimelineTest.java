package org.initrdharness.journal;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.testng.annotations.Test;

public class UnitTimelineTest {
    // As journald forwards PID 1's messages to a console (x86_64 adds the tty's CR).
    private static final List<String> JOURNAL = List.of(
            "[    5.120000] systemd-journald[88]: Journal started\r",
            "[    5.200000] systemd[1]: Starting systemd-udevd.service - Rule-based Manager for Device Events and Files...\r",
            "[    6.182000] systemd[1]: Started systemd-udevd.service - Rule-based Manager for Device Events and Files.",
            "[    9.365000] systemd[1]: Timed out waiting for device dev-disk-by\\x2dlabel-no\\x2dsuch\\x2droot.device - /dev/disk/by-label/no-such-root.",
            "[    9.389000] systemd[1]: Dependency failed for sysroot.mount - /sysroot.",
            "[    9.390000] systemd[1]: sysroot.mount: Job sysroot.mount/start failed with result 'dependency'.",
            "[    9.412000] systemd[1]: Stopped target basic.target - Basic System.",
            "[    9.424000] systemd[1]: Started emergency.service - Emergency Shell.",
            "[    9.500000] systemd[1]: Starting Old Style Description...",
            "[    9.600000] systemd[1]: Finished Old Style Description.");

    @Test
    public void unitsInOrderWithTheirTimesAndFailures() {
        UnitTimeline t = UnitTimeline.parse(JOURNAL);
        List<String> names = t.units().stream().map(UnitTimeline.Unit::name).toList();
        assertEquals(names, List.of("systemd-udevd.service", "dev-disk-by\\x2dlabel-no\\x2dsuch\\x2droot.device",
                "sysroot.mount", "basic.target", "emergency.service", "Old Style Description"), t.format());
        UnitTimeline.Unit udevd = t.units().get(0);
        assertEquals(udevd.start(), 5.2);
        assertEquals(udevd.ready(), 6.182);
        assertNull(udevd.failed());
        assertEquals(t.failed().stream().map(UnitTimeline.Unit::name).toList(),
                List.of("dev-disk-by\\x2dlabel-no\\x2dsuch\\x2droot.device", "sysroot.mount"));
        assertEquals(t.units().get(3).stopped(), 9.412, "'Stopped target' names the target");
        assertTrue(t.format().contains("failed: dev-disk-by\\x2dlabel-no\\x2dsuch\\x2droot.device sysroot.mount"), t.format());
    }
}
