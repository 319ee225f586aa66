package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.initrdharness.images.GuestImages;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleLine;
import org.testng.annotations.Test;

/**
 * A LUKS2 root opened with a key file that lives inside the initrd (a crypttab entry naming
 * it): nobody is asked for a passphrase and the boot reaches stage 2 from the opened volume.
 */
public class LuksKeyfileScenario extends Scenario {
    static final String VOLUME = "cryptroot";
    static final Pattern ANY_PROMPT = Pattern.compile("(?i)enter passphrase|password for");

    @Test(groups = "nightly")
    public void keyfileInTheInitrdOpensTheRootWithoutAPrompt() throws IOException {
        GuestImages images = images();
        MarkingUnit mapper = new MarkingUnit("mapper", List.of("cryptsetup.target"), """
                ls /dev/mapper | grep -v '^control$'
                echo "root=$(readlink -f /dev/disk/by-label/stage2root)"
                echo "dm=$(cat /sys/block/$(basename $(readlink -f /dev/disk/by-label/stage2root))/dm/name)"
                """);
        Stage1Options options = mapper.addTo(Stage1Options.builder().luksVolume(new Stage1Options.LuksVolume(VOLUME,
                "UUID=" + images.luksUuid(), null, images.luksKeyfile().toString(), null))).build();
        MachineSpec spec = machine("luks-keyfile").initrd(stage1(options))
                .disk(Disk.raw(images.luksDisk(), "luks")).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("mapper"), VOLUME + "\nroot=/dev/dm-0\ndm=" + VOLUME,
                    "stage 1 opened the LUKS volume as /dev/mapper/" + VOLUME + " and the root label is on it");
            List<ConsoleLine> prompts = m.console().lines().stream()
                    .filter(l -> ANY_PROMPT.matcher(l.text()).find()).toList();
            assertTrue(prompts.isEmpty(), "nothing asked for a passphrase: " + prompts);
            System.out.printf("%s: LUKS root opened by its key file; stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch,
                    stage2.secondsSinceStart(), stage2.uptime());
        }
    }
}
