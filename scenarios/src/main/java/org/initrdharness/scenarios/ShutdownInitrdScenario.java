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
 * The shutdown initrd (exitrd): stage 1 leaves a copy of its own tree in /run/initramfs with
 * systemd-shutdown as /shutdown; stage 2 is the images' sysroot booted with systemd as PID 1
 * straight to poweroff.target; its systemd-shutdown finds /run/initramfs/shutdown, returns to it
 * with the old root at /oldroot, and the exitrd's systemd-shutdown unmounts /oldroot, runs the
 * exitrd's own system-shutdown hook (the marker) and powers off.
 */
public class ShutdownInitrdScenario extends Scenario {
    static final String LABEL = "s2systemd";

    /** Copies stage 1's tree to /run/initramfs, which survives switch-root, and names systemd-shutdown /shutdown. */
    static MarkingUnit exitrdCopy() {
        return new MarkingUnit("exitrd", List.of("initrd-root-fs.target"), """
                set -e
                x=/run/initramfs
                mkdir -p $x/dev $x/proc $x/sys $x/run $x/oldroot $x/tmp
                for d in usr etc bin sbin lib lib64; do if [ -e /$d ] || [ -L /$d ]; then cp -a /$d $x/; fi; done
                ln -sf /usr/lib/systemd/systemd-shutdown $x/shutdown
                mkdir -p $x/usr/lib/systemd/system-shutdown
                cat > $x/usr/lib/systemd/system-shutdown/harness-exitrd.shutdown <<'HOOK'
                #!/bin/sh
                echo "exitrd: harness marker, verb $1, mounts under /oldroot: $(grep -c ' /oldroot' /proc/self/mounts), dm: $(ls /sys/class/block | grep -c '^dm-')" > /dev/console
                HOOK
                chmod 755 $x/usr/lib/systemd/system-shutdown/harness-exitrd.shutdown
                du -sk $x | cut -f1
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
        Stage1Options.Builder options = Stage1Options.builder();
        exitrdCopy().addTo(options);
        MachineSpec spec = machine("exitrd").initrd(stage1(options.build())).disk(Disk.raw(disk, "luks"))
                .append("rd.luks.uuid=" + uuid + " root=LABEL=" + LABEL
                        + " init=/usr/lib/systemd/systemd systemd.unit=poweroff.target").build();
        try (Machine m = start(spec)) {
            m.console().waitFor(LuksPassphraseScenario.PROMPT, Duration.ofSeconds(150));
            m.console().sendSecretLine(passphrase);
            ConsoleMatch back = m.console().waitFor(Pattern.compile("systemd-shutdown\\[1\\]: Returning to initrd"),
                    Duration.ofSeconds(240));
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
