package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.initrdharness.images.GuestImages;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleLine;
import org.initrdharness.vm.console.ConsoleMatch;
import org.testng.annotations.Test;

/**
 * The shutdown initrd (exitrd, stage-1 option exitrd): stage 1 leaves a copy of its own tree in
 * /run/initramfs with systemd-shutdown as /shutdown; stage 2 is the images' sysroot booted with systemd as PID 1
 * straight to poweroff.target; its systemd-shutdown finds /run/initramfs/shutdown, returns to it
 * with the old root at /oldroot, and the exitrd's systemd-shutdown unmounts /oldroot, detaches
 * the LUKS mapping the root was on, runs the exitrd's own system-shutdown hook (the marker) and
 * powers off. Stage 2 is not the images' busybox stage-2 disk: returning to /run/initramfs is
 * systemd's own shutdown, so the images' sysroot (Debian's systemd 252 or 257 and its libraries)
 * is made into a LUKS disk per run and booted with init=/usr/lib/systemd/systemd.
 */
public class ShutdownInitrdScenario extends Scenario {
    static final String LABEL = "s2systemd";

    /**
     * The marker: a system-shutdown hook only the shutdown initrd has (stage 2's root has none of
     * that name), written into the copy once option exitrd's unit made it.
     */
    static MarkingUnit exitrdHook() {
        return new MarkingUnit("exitrd-hook", List.of("stage1-exitrd.service"), """
                h=/run/initramfs/usr/lib/systemd/system-shutdown
                mkdir -p $h
                cat > $h/harness-exitrd.shutdown <<'HOOK'
                #!/bin/sh
                echo "exitrd: harness marker, verb $1, mounts under /oldroot: $(grep -c ' /oldroot' /proc/self/mounts), dm: $(ls /sys/class/block | grep -c '^dm-')" > /dev/console
                HOOK
                chmod 755 $h/harness-exitrd.shutdown
                du -sk /run/initramfs | cut -f1
                """);
    }

    @Test(groups = "nightly")
    public void stage2PowersOffThroughTheShutdownInitrdWhichDetachesTheLuksRoot() throws IOException {
        GuestImages images = images();
        Path scratch = scratchDir("exitrd");
        String passphrase = ScratchLuks.freshPassphrase();
        UUID uuid = UUID.randomUUID();
        long t0 = System.nanoTime();
        Path disk = ScratchLuks.volumeOf(images.sysroot(), LABEL, 400, uuid, passphrase, scratch);
        double made = (System.nanoTime() - t0) / 1e9;
        Stage1Options.Builder options = Stage1Options.builder().exitrd(true);
        exitrdHook().addTo(options);
        MachineSpec spec = machine("exitrd").initrd(stage1(options.build())).disk(Disk.raw(disk, "luks"))
                .append("rd.luks.uuid=" + uuid + " root=LABEL=" + LABEL
                        + " init=/usr/lib/systemd/systemd systemd.unit=poweroff.target").build();
        try (Machine m = start(spec)) {
            m.console().waitFor(LuksPassphraseScenario.PROMPT, Duration.ofSeconds(150));
            m.console().sendSecretLine(passphrase);
            ConsoleMatch back = m.console().waitFor(Pattern.compile("systemd-shutdown\\[1\\]: (Returning to initrd|Entering exitrd)\\.\\.\\."),
                    Duration.ofSeconds(240));
            // The words changed between the releases: 252 "Returning to initrd...", 257 "Entering exitrd...".
            assertEquals(back.group(1), systemdVersion() >= 257 ? "Entering exitrd" : "Returning to initrd",
                    "stage 2's systemd-shutdown moved into /run/initramfs");
            ConsoleMatch marker = m.console().waitFor(Pattern.compile(
                    "exitrd: harness marker, verb (\\S+), mounts under /oldroot: (\\d+), dm: (\\d+)"), Duration.ofSeconds(120));
            assertTrue(m.awaitExit(Duration.ofSeconds(120)), "the shutdown initrd powered the machine off");
            List<String> exitrd = m.console().lines().stream().filter(l -> l.id() > back.line().id())
                    .map(ConsoleLine::text).toList();
            assertTrue(exitrd.stream().anyMatch(l -> l.contains("shutdown[1]: Unmounting file systems.")),
                    "the shutdown initrd's systemd-shutdown ran: " + exitrd);
            assertTrue(exitrd.stream().anyMatch(l -> l.contains("Unmounting '/oldroot'.")), "it unmounted /oldroot: " + exitrd);
            assertTrue(exitrd.stream().anyMatch(l -> l.matches(".*shutdown\\[1\\]: Detaching DM /dev/dm-0 .*"))
                    && exitrd.stream().anyMatch(l -> l.contains("shutdown[1]: All DM devices detached.")),
                    "it detached the LUKS mapping: " + exitrd);
            assertEquals(marker.group(1), "poweroff", "the exitrd's own hook ran for the poweroff verb");
            assertEquals(marker.group(2) + " " + marker.group(3), "0 0", "nothing of the old root was left mounted or mapped");
            assertTrue(exitrd.stream().anyMatch(l -> l.contains("reboot: Power down")), "the kernel powered down: " + exitrd);
            System.out.printf(Locale.ROOT, "%s: LUKS stage-2 disk made in %.1f s; back in the initrd at %.1f s; marker at %.1f s;"
                    + " %s%n", cell(), made, back.seconds(), marker.seconds(), marker.group(0));
        }
    }
}
