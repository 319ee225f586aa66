package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CONFIG;

import org.initrdharness.vm.Arch;

/**
 * Stage 1's journal on a second console ({@link Arch#journalPort()}), which the harness's
 * machines record as journal.log: evidence from inside stage 1 that costs no shell and leaves
 * the primary console, where plymouth and systemd's status lines go, as it was. systemd's own
 * integration tests forward the journal over vsock (ForwardToSocket=, systemd 256 and later);
 * bookworm's 252 lacks that, so journald's console forwarding is pointed at the second port.
 */
final class JournalPort {
    static final String DROP_IN = "/etc/systemd/journald.conf.d/50-harness-journal-port.conf";

    private JournalPort() {}

    static void compose(Arch arch, Stage1Options options, Stage1Composition.Collector c) {
        // Option journalToConsole already forwards to the primary console; one TTYPath only.
        if (options.journalToConsole()) return;
        c.text(CONFIG, DROP_IN, "[Journal]\nForwardToConsole=yes\nTTYPath=/dev/" + arch.journalPort() + "\nMaxLevelConsole=info\n",
                0644, "the journal on the second console " + arch.journalPort() + ", recorded by the harness");
        // hvc0 exists once virtio_console is loaded: systemd-modules-load does it early.
        if (arch == Arch.AARCH64) c.module("virtio_console");
    }
}
