package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SHELL;

/** /bin/sh, which is root's shell and the one legacy hooks run in. */
final class Shell {
    private Shell() {}

    static void compose(HookShell shell, Stage1Composition.Collector c) {
        switch (shell) {
            case BASH -> {
                c.want(SHELL, "/usr/bin/bash", "option hookShell: root's shell and legacy hooks");
                c.link(SHELL, "/usr/bin/sh", "bash", "option hookShell: /bin/sh");
            }
            case BUSYBOX -> {
                c.want(SHELL, "/usr/bin/busybox", "root's shell and legacy hooks (static busybox, applets built in)");
                c.link(SHELL, "/usr/bin/sh", "busybox", "/bin/sh is busybox");
            }
        }
    }
}
