package org.initrdharness.report.milestones;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

/** Samples of the guest's wait for a host CPU, read at a milestone's time, and their file. */
public class HostWaitTest {
    private static final HostWait W = new HostWait(List.of(new HostWait.Sample(0.2, 0.0), new HostWait.Sample(5.2, 2.0),
            new HostWait.Sample(10.2, 2.0), new HostWait.Sample(15.2, 7.0)));

    @Test
    public void readBetweenSamples() {
        assertEquals(W.at(2.7), 1.0, 1e-9);
        assertEquals(W.at(7.0), 2.0, 1e-9, "no wait while the guest slept");
        assertEquals(W.at(15.2), 7.0, 1e-9);
        assertEquals(W.at(0.0), 0.0, 1e-9, "QEMU's start, just before the first sample");
        assertNull(W.at(20.0), "after the sampler stopped nothing is known");
        assertNull(new HostWait(List.of()).at(1.0));
    }

    @Test
    public void milestonesGetTheirOwnTimes() {
        BootMilestones m = new BootMilestones(Map.of(Milestone.INIT, 2.7, Milestone.STAGE2, 15.2), 15.5, null).withWait(W);
        assertEquals(m.own(Milestone.STAGE2), 8.2, 1e-9);
        assertEquals(m.own(Milestone.INIT), 1.7, 1e-9);
        assertNull(m.own(Milestone.KERNEL));
    }

    @Test
    public void theFileRoundTripsAndAMissingOneIsEmpty() throws IOException {
        Path dir = Files.createTempDirectory("host-wait");
        W.write(dir);
        assertEquals(HostWait.read(dir).at(7.0), W.at(7.0));
        HostWait withRunTimes = new HostWait(List.of(new HostWait.Sample(0.2, 0.0, 0.1), new HostWait.Sample(5.2, 2.0, 2.5)));
        withRunTimes.write(dir);
        assertEquals(HostWait.read(dir), withRunTimes);
        BootMilestones m = new BootMilestones(Map.of(Milestone.STAGE2, 15.2), 15.5, null).withWait(W);
        m.write(dir);
        assertEquals(BootMilestones.load(dir).orElseThrow().waited(), Map.of(Milestone.STAGE2, 7.0));
        assertTrue(HostWait.read(dir.resolve("nothing")).isEmpty());
        Files.writeString(dir.resolve(HostWait.FILE), "garbage\n");
        assertTrue(HostWait.read(dir).isEmpty(), "a damaged file gives nothing rather than wrong times");
    }
}
