package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.testng.annotations.Test;

/**
 * A module named in the stage-1 options is loaded in stage 1 with the parameters its
 * modprobe.d line gives. brd (the RAM disk) is modular in both Debian kernels, harmless in a
 * guest, and shows its parameter under /sys/module (rd_nr is 0444): rd_nr=3 makes ram0..ram2
 * and no ram3, unlike its default of 16.
 */
public class KernelModuleScenario extends Scenario {

    @Test(groups = "nightly")
    public void moduleNamedInOptionsIsLoadedWithItsModprobeOptions() throws IOException {
        MarkingUnit brd = new MarkingUnit("brd", List.of("systemd-modules-load.service"), """
                echo "rd_nr=$(cat /sys/module/brd/parameters/rd_nr)"
                echo "rd_size=$(cat /sys/module/brd/parameters/rd_size)"
                echo "devices=$(ls /sys/block | grep '^ram' | sort | tr '\\n' ' ')"
                """);
        Stage1Options options = brd.addTo(Stage1Options.builder().kernelModules(List.of("brd"))
                .modprobeOptions(Map.of("brd", "rd_nr=3 rd_size=1024"))).build();
        MachineSpec spec = machine("brd-with-options").initrd(stage1(options))
                .disk(rootDisk()).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("brd"), "rd_nr=3\nrd_size=1024\ndevices=ram0 ram1 ram2 ",
                    "brd loaded in stage 1 with rd_nr=3 rd_size=1024 from modprobe.d (mark left in /run/harness)");
            System.out.printf("%s: brd loaded with its options; stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch,
                    stage2.secondsSinceStart(), stage2.uptime());
        }
    }
}
