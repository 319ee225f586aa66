package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.PLYMOUTH;

import static org.initrdharness.stage1.SystemdStage1.ETC_UNITS;

import java.util.List;
import org.initrdharness.vm.Arch;

/** The splash and its password agent, with the plugins plymouthd loads at run time. */
final class Plymouth {
    private Plymouth() {}

    static void compose(Arch arch, Stage1Composition.Collector c) {
        String plugins = "/usr/lib/" + arch.triplet() + "/plymouth/";
        c.want(PLYMOUTH, "/usr/sbin/plymouthd", "the splash daemon");
        c.want(PLYMOUTH, "/usr/bin/plymouth", "the splash client");
        // dlopen()ed by plymouthd: no ELF walk finds them.
        c.want(PLYMOUTH, plugins + "details.so", "plymouth plugin (dlopen): details view on a serial console");
        c.want(PLYMOUTH, plugins + "text.so", "plymouth plugin (dlopen): text splash");
        c.want(PLYMOUTH, plugins + "renderers/frame-buffer.so", "plymouth renderer (dlopen)");
        c.want(PLYMOUTH, plugins + "renderers/drm.so", "plymouth renderer (dlopen)");
        c.want(PLYMOUTH, "/usr/share/plymouth/themes/details/details.plymouth", "plymouth theme");
        c.want(PLYMOUTH, "/usr/share/plymouth/themes/text/text.plymouth", "plymouth theme");
        c.text(PLYMOUTH, "/usr/share/plymouth/plymouthd.defaults",
                "[Daemon]\nTheme=details\nShowDelay=0\nDeviceTimeout=8\n", 0644,
                "plymouth: the details theme works on a serial console");
        c.units(PLYMOUTH, "plymouth", "plymouth-start.service", "plymouth-switch-root.service",
                "systemd-ask-password-plymouth.path", "systemd-ask-password-plymouth.service");
        c.wantedBy(PLYMOUTH, "sysinit.target", "plymouth-start.service");
        c.wantedBy(PLYMOUTH, "sysinit.target", "systemd-ask-password-plymouth.path");
        c.wantedBy(PLYMOUTH, "initrd-switch-root.target", "plymouth-switch-root.service");
        // plymouth-start waits for udev coldplug; when the boot falls into emergency first, its
        // pending start would bring plymouthd up after the shell's `plymouth quit`, and plymouthd
        // would take the console's input from sulogin. Starting the shell cancels it instead.
        for (String shell : List.of("emergency.service", "rescue.service")) {
            c.text(PLYMOUTH, ETC_UNITS + shell + ".d/stage1-plymouth.conf",
                    "[Unit]\nConflicts=plymouth-start.service\n", 0644,
                    "plymouth: a splash starting late must not take the console from the " + shell);
        }
    }
}
