package org.initrdharness.replay;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.initrdharness.report.Timeline;
import org.testng.annotations.Test;

/** The pieces of {@code repro --check} that need no guest: the recorded session, the last lines, the ports. */
public class ReplayCheckPartsTest {

    @Test
    public void theRecordedSessionComesBackInOrderWithSecretsLeftToTheUser() {
        List<Timeline.Event> events = List.of(
                new Timeline.Event(0.1, "qemu", "guest running, pid 7"),
                new Timeline.Event(9.6, "match", "/You are in emergency mode|Entering emergency mode/ in: You are in emergency mode. After"),
                new Timeline.Event(9.8, "input", "\\r"),
                new Timeline.Event(10.2, "qmp", "hot-plugged disk hp-root (serial root)"),
                new Timeline.Event(10.3, "input", "<secret>\\r"),
                new Timeline.Event(11.0, "respond", "/Please enter passphrase for disk .*:/ answered <secret>"),
                new Timeline.Event(11.5, "respond", "/continue\\?/ answered yes"),
                new Timeline.Event(12.0, "failure", "UNIT_FAILED: unit failed"));
        List<SessionStep> steps = SessionStep.of(events);
        assertEquals(steps.stream().map(SessionStep::toString).toList(), List.of(
                "wait for /You are in emergency mode|Entering emergency mode/",
                "type \\r",
                "hot-plug disk root",
                "type <secret>\\r",
                "answer /Please enter passphrase for disk .*:/ with <secret>",
                "answer /continue\\?/ with yes"));
        assertEquals(steps.get(1).text(), "\r");
        assertTrue(steps.get(3).secret());
        assertEquals(steps.get(3).text(), "\r", "the Enter after the secret is typed again");
        assertTrue(steps.get(4).secret());
        assertEquals(steps.get(4).text(), null, "no answer of a secret prompt comes from the recording");
        assertFalse(steps.get(5).secret());
    }

    @Test
    public void lastLinesIgnoreTimestampsNumbersAndTypedInput() {
        List<String> recorded = List.of(
                "[   14.291]          Starting initrd-udevadm-cl…ice - Cleanup udev Database...",
                "[   14.400] [   14.398123] random: crng init done",
                "[   14.546]          Starting initrd-switch-root.service - Switch Root...",
                "[   14.600] >>> \\r",
                "[   14.700] ",
                "[   14.770] [FAILED] Failed to start initrd-switch-root.service - Switch Root.",
                "[   14.774] See 'systemctl status initrd-switch-root.service' for details.");
        List<String> expected = LastLines.last(recorded, 3);
        assertEquals(expected, List.of("Starting initrd-switch-root.service - Switch Root...",
                "[FAILED] Failed to start initrd-switch-root.service - Switch Root.",
                "See 'systemctl status initrd-switch-root.service' for details."));
        List<String> replayed = List.of(
                "[    9.001]          Starting initrd-switch-root.service - Switch Root...",
                "[    9.100] [    8.998001] virtio_blk virtio2: [vdb] 2048 512-byte logical blocks",
                "[    9.200] [FAILED] Failed to start initrd-switch-root.service - Switch Root.",
                "[    9.201] See 'systemctl status initrd-switch-root.service' for details.");
        assertEquals(LastLines.matched(expected, replayed), 3);
        List<String> cut = List.of("[ 9.0] [FAILED] Failed to start initrd-switch-root.service - Switch Root.", "[ 9.1] S");
        List<String> cutExpected = LastLines.last(cut, 2);
        assertEquals(LastLines.matched(cutExpected, replayed), 2, "a last line cut off when the boot was ended is a prefix");
        assertEquals(LastLines.matched(List.of("S", "[FAILED] Failed to start initrd-switch-root.service - Switch Root."),
                replayed), 0, "only the last line may be a prefix");
        assertEquals(LastLines.last(List.of("[ 1.0] HARNESS-PANICKING", "[ 1.1] [    1.05] Kernel panic - not syncing",
                "[ 1.2] [    1.06] Memory Limit: none"), 2), List.of("HARNESS-PANICKING"), "user space's lines first");
        assertEquals(LastLines.last(List.of("[ 1.0] [    0.9] clocksource: Long readout interval, cs_nsec: 1130943842",
                "[ 1.1] You are in emergency mode.", "[ 2.0] clocksource: Long readout interval, cs_nsec: 1130943842",
                "[ 2.1] to continue bootup."), 5), List.of("You are in emergency mode.", "to continue bootup."),
                "a kernel message printed again by user space is the kernel's");
        List<String> twice = List.of("[ 1.0] You are in emergency mode.", "[ 1.1] >>> systemctl default\\r",
                "[ 2.0] [FAILED] Failed to start initrd-switch-root.service", "[ 2.1] You are in emergency mode.");
        assertTrue(LastLines.followInput(twice, 2), "the last lines came after the last input");
        assertFalse(LastLines.followInput(twice.subList(0, 2), 1), "the last line came before the last input");
        assertEquals(LastLines.last(List.of("[ 1.1] [    1.05] Kernel panic - not syncing: VFS"), 2),
                List.of("Kernel panic - not syncing: VFS"), "kernel lines where there is nothing else");
        assertEquals(LastLines.normalize("[ 1.5] [    3.941438] kernel: Run /init as init process pid 412 at ffff9e0c"),
                "kernel: Run /init as init process pid # at #");
        List<String> elsewhere = List.of(
                "[    9.001]          Starting initrd-switch-root.service - Switch Root...",
                "[   19.200] You are in emergency mode. After logging in, type \"journalctl -xb\" to view");
        assertEquals(LastLines.matched(expected, elsewhere), 1);
        assertNotEquals(LastLines.normalize("[FAILED] Failed to start sysroot.mount"),
                LastLines.normalize("[FAILED] Failed to start initrd-switch-root.service"));
    }

    @Test
    public void forwardedPortsAreChosenAgainAtReplay() throws Exception {
        List<String> cmd = List.of("-netdev", "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22", "-append", "x=1");
        List<String> out = Replay.freshPorts(cmd);
        assertEquals(out.get(2), "-append");
        assertTrue(out.get(1).matches("user,id=net0,restrict=on,hostfwd=tcp:127\\.0\\.0\\.1:\\d+-:22"), out.get(1));
    }
}
