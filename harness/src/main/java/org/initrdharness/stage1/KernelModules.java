package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.MODULES;
import static org.initrdharness.stage1.SystemdStage1.MODULES_LOAD;

import org.initrdharness.initrd.kmod.Stage1Modules;

/**
 * The modules systemd-modules-load loads: the disk and ext4 modules, those other parts asked
 * for, and option kernelModules. Runs after the parts that add modules.
 */
final class KernelModules {
    private KernelModules() {}

    static void compose(Stage1Options options, Stage1Composition.Collector c) {
        Stage1Modules.virtioDisk().forEach(c::module);
        Stage1Modules.ext4().forEach(c::module);
        options.kernelModules().forEach(c::module);
        if (!options.modprobeOptions().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            options.modprobeOptions().forEach((m, o) -> sb.append("options ").append(m).append(' ').append(o).append('\n'));
            c.text(MODULES, "/etc/modprobe.d/stage1.conf", sb.toString(), 0644, "option modprobeOptions");
        }
        c.text(MODULES, MODULES_LOAD, String.join("\n", c.modules()) + "\n", 0644,
                "modules systemd-modules-load loads early, before udev coldplug finds the devices");
    }
}
