package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SYSTEMD;

import org.initrdharness.vm.QemuCommand;

/**
 * Stage 1's journal onto the machine's journal port, a virtio serial port of its own that the
 * harness keeps as journal.log: {@code journalctl -b -f} from journald's start, the kernel's
 * log before it included, until initrd-cleanup isolates the switch-root target (or for good in
 * emergency). Its own unit rather than journald's ForwardToConsole with TTYPath, which would
 * also move services' console output off the first console. Without the port (another
 * machine) the script ends at once.
 */
final class JournalPort {
    private JournalPort() {}

    static final String UNIT = "harness-journal-port.service";
    static final String SCRIPT = "/usr/lib/stage1/journal-port";

    static void compose(Stage1Composition.Collector c) {
        c.module("virtio_console");
        c.text(SYSTEMD, SCRIPT, script(), 0755, "stage 1's journal onto the journal port");
        c.text(SYSTEMD, SystemdStage1.UNITS + UNIT, unit(), 0644, "unit: stage 1's journal onto the journal port");
        c.wantedBy(SYSTEMD, "sysinit.target", UNIT);
    }

    static String unit() {
        return """
                [Unit]
                Description=Stage 1's journal on the journal port
                DefaultDependencies=no
                After=systemd-journald.service systemd-modules-load.service
                Before=sysinit.target

                [Service]
                Type=exec
                ExecStart=/bin/sh %s
                StandardInput=null
                StandardOutput=journal
                StandardError=journal
                """.formatted(SCRIPT);
    }

    /** Finds the port by its name in sysfs: udev's /dev/virtio-ports link comes later than this. */
    static String script() {
        return """
                #!/bin/sh
                for p in /sys/class/virtio-ports/*; do
                    [ -r "$p/name" ] || continue
                    read -r name <"$p/name"
                    if [ "$name" = %s ]; then
                        exec journalctl -b -f --lines=all -o short-monotonic --no-hostname --no-pager >"/dev/${p##*/}"
                    fi
                done
                echo "no virtio port named %s: stage 1's journal stays in memory"
                """.formatted(QemuCommand.JOURNAL_PORT, QemuCommand.JOURNAL_PORT);
    }
}
