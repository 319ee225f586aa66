package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CONFIG;

import org.initrdharness.vm.Arch;

/**
 * Configuration the recipe writes: the release file that puts systemd in initrd mode, the
 * accounts, the manager's and journald's settings, fstab and crypttab.
 */
final class InitrdConfig {
    private InitrdConfig() {}

    static void compose(Arch arch, Stage1Options options, Stage1Composition.Collector c) {
        String release = "NAME=\"initrd-harness stage 1\"\nID=initrd-harness\nVERSION_ID=1\n"
                + "PRETTY_NAME=\"initrd-harness systemd stage 1 (" + arch.id() + ")\"\n";
        c.text(CONFIG, "/etc/initrd-release", release, 0644, "systemd runs in initrd mode when this exists");
        c.link(CONFIG, "/etc/os-release", "initrd-release", "os-release of the initrd");
        Accounts.compose(options, c);

        StringBuilder manager = new StringBuilder("[Manager]\n");
        if (options.startTimeoutSec() != null) {
            manager.append("DefaultTimeoutStartSec=").append(options.startTimeoutSec()).append("s\n");
        }
        if (options.deviceTimeoutSec() != null) {
            manager.append("DefaultDeviceTimeoutSec=").append(options.deviceTimeoutSec()).append("s\n");
        }
        c.text(CONFIG, "/etc/systemd/system.conf", manager.toString(), 0644,
                "options startTimeoutSec, deviceTimeoutSec");
        if (options.journalToConsole()) {
            c.text(CONFIG, "/etc/systemd/journald.conf", "[Journal]\nForwardToConsole=yes\nMaxLevelConsole=info\n",
                    0644, "option journalToConsole");
        }
        Fstab.compose(options, c);
    }
}
