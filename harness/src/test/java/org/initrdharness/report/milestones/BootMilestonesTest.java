package org.initrdharness.report.milestones;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.profile.Stage1Profile;
import org.testng.annotations.Test;

/** Milestones of a recorded boot of our stage 1 (x86_64, PVH), of a prompt, and their file. */
public class BootMilestonesTest {

    private static String fixture() throws IOException {
        try (InputStream in = Stage1Profile.class.getResourceAsStream("ours-x86_64-pvh.console.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static BootMilestones of(String log, List<Timeline.Event> events) {
        List<ConsoleLogFile.Line> lines = ConsoleLogFile.parse(log);
        Stage1Profile p = Stage1Profile.parse(ConsoleLogFile.asLogLines(lines), Stage1Profile.STAGE2_MARKER, List.of());
        return BootMilestones.of(p, lines, events, null);
    }

    @Test
    public void milestonesOfARecordedBoot() throws IOException {
        BootMilestones m = of(fixture(), List.of(new Timeline.Event(0.009, "qemu", "started on TCG")));
        assertEquals(m.at(Milestone.QEMU_START), 0.009);
        assertEquals(m.at(Milestone.KERNEL), 0.728);
        assertEquals(m.at(Milestone.INIT), 4.185);
        assertEquals(m.at(Milestone.ROOT_DEVICE), 7.996);
        assertEquals(m.at(Milestone.SYSROOT_MOUNT), 10.444, "sysroot.mount's Mounted line, not the target after it");
        assertEquals(m.at(Milestone.SWITCH_ROOT), 11.477, "initrd-switch-root.service starting");
        assertEquals(m.at(Milestone.STAGE2), 12.571);
        assertNull(m.at(Milestone.PROMPT), "this boot asked nothing");
        assertEquals(m.end(), 12.571);
    }

    @Test
    public void firstPromptFromTheConsoleOrAResponder() {
        String log = "[    5.000] Run /init as init process\n"
                + "[    9.250] Please enter passphrase for disk luks-1234:\n"
                + "[    9.300] >>> <secret>\\r\n"
                + "[   12.000] Please enter passphrase for disk luks-1234:\n";
        assertEquals(of(log, List.of()).at(Milestone.PROMPT), 9.25);
        // A responder answered a prompt whose line never ended before the console line came.
        assertEquals(of(log, List.of(new Timeline.Event(8.5, "respond", "/x/ answered <secret>"))).at(Milestone.PROMPT), 8.5);
    }

    @Test
    public void theFileRoundTripsAndUnreadableBytesStillRead() throws IOException {
        Path dir = Files.createTempDirectory("milestones");
        // A console log is whatever the guest sent: bytes that are no UTF-8 must not stop the reader.
        byte[] bad = {'[', ' ', '1', '.', '0', '0', '0', ']', ' ', 'x', (byte) 0xff, (byte) 0xfe, '\n'};
        Files.write(dir.resolve("console.log"), (fixture()).getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("console.log"), bad, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(dir.resolve("timeline.txt"), "    0.010  qemu       started on TCG (the probe said:\n"
                + "two lines)\n   13.000  qemu       exited with status 0\n");
        Path initrd = Files.write(dir.resolve("initrd.img"), new byte[] {1, 2, 3});
        BootMilestones m = BootMilestones.read(dir, initrd);
        assertEquals(m.at(Milestone.QEMU_START), 0.010);
        assertEquals(m.end(), 13.0);
        assertEquals(m.initrd().bytes(), 3);
        assertEquals(m.initrd().entries(), -1, "not an archive: its size is reported, its entries are not");
        m.write(dir);
        BootMilestones back = BootMilestones.load(dir).orElseThrow();
        assertEquals(back.times(), m.times());
        assertEquals(back.initrd(), m.initrd());
        assertTrue(Files.readString(dir.resolve(BootMilestones.FILE)).contains("\"prompt\" : null"));
        assertFalse(BootMilestones.load(dir.resolve("nothing")).isPresent());
    }
}
