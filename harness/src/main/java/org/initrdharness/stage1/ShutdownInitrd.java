package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.EXITRD;
import static org.initrdharness.stage1.SystemdStage1.ETC_UNITS;

/**
 * The shutdown initrd for option exitrd: before switch-root a unit copies stage 1's own tree
 * into /run/initramfs (which stage 2 inherits with /run) and names systemd-shutdown its
 * /shutdown. When stage 2's systemd powers off or reboots, its systemd-shutdown finds
 * /run/initramfs/shutdown, moves there with the old root at /oldroot and runs it; in the copy
 * (an initrd, /etc/initrd-release) systemd-shutdown then unmounts /oldroot and detaches the
 * device-mapper volumes under it, which stage 2 could not while running from them.
 */
final class ShutdownInitrd {
    static final String UNIT = "stage1-exitrd.service";
    static final String SCRIPT = "/usr/lib/initrd-harness/exitrd-prepare";

    private ShutdownInitrd() {}

    static void compose(Stage1Composition.Collector c) {
        c.want(EXITRD, "/usr/bin/busybox", "cp and ln for the copy (static busybox)");
        c.text(EXITRD, SCRIPT, script(), 0755, "option exitrd: stage 1's tree into /run/initramfs");
        c.text(EXITRD, ETC_UNITS + UNIT, unit(), 0644, "option exitrd: prepares the shutdown initrd");
        c.link(EXITRD, ETC_UNITS + "initrd.target.wants/" + UNIT, "../" + UNIT, UNIT + " wanted by initrd.target");
    }

    static String script() {
        return """
                #!/usr/bin/busybox sh
                # Stage 1's tree, less the API file systems and /sysroot, as the shutdown initrd.
                set -e
                x=/run/initramfs
                busybox mkdir -p $x/dev $x/proc $x/sys $x/run $x/oldroot $x/tmp
                for d in usr etc bin sbin lib lib32 lib64 libx32; do
                    if [ -e /$d ] || [ -L /$d ]; then busybox cp -a /$d $x/; fi
                done
                busybox ln -sf /usr/lib/systemd/systemd-shutdown $x/shutdown
                """;
    }

    static String unit() {
        return """
                [Unit]
                Description=Prepare the shutdown initrd in /run/initramfs
                DefaultDependencies=no
                Before=initrd.target initrd-switch-root.target

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=%s
                """.formatted(SCRIPT);
    }
}
