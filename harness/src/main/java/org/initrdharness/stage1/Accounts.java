package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CONFIG;
import static org.initrdharness.stage1.SystemdStage1.ETC_UNITS;

import java.util.List;
import org.initrdharness.initrd.InitrdBuildException;

/**
 * Users and groups: root for sulogin, the groups udev rules name, networkd's user, and root's
 * password as option emergencyAccess sets it.
 */
final class Accounts {
    private Accounts() {}

    static void compose(Stage1Options options, Stage1Composition.Collector c) {
        String shell = "/bin/sh";
        StringBuilder passwd = new StringBuilder("root:x:0:0:root:/root:" + shell + "\n");
        StringBuilder group = new StringBuilder();
        for (String g : List.of("root:0", "tty:5", "disk:6", "lp:7", "kmem:15", "dialout:20", "cdrom:24",
                "tape:26", "audio:29", "video:44", "input:101", "kvm:102", "render:103", "sgx:104")) {
            String[] p = g.split(":");
            group.append(p[0]).append(":x:").append(p[1]).append(":\n");
        }
        if (options.network() != null) {
            passwd.append("systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n");
            group.append("systemd-network:x:998:\n");
        }
        passwd.append("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        group.append("nogroup:x:65534:\n");
        c.text(CONFIG, "/etc/passwd", passwd.toString(), 0644, "users: root for sulogin");
        c.text(CONFIG, "/etc/group", group.toString(), 0644, "groups named by udev rules");
        EmergencyAccess access = options.emergencyAccess();
        c.text(CONFIG, "/etc/shadow", shadow(access), 0600, "option emergencyAccess=" + describe(access));
        if (access instanceof EmergencyAccess.Open) {
            // sulogin would refuse a locked root; SYSTEMD_SULOGIN_FORCE=1 makes it give a shell.
            for (String unit : new String[] {"emergency.service", "rescue.service"}) {
                c.text(CONFIG, ETC_UNITS + unit + ".d/stage1-open.conf",
                        "[Service]\nEnvironment=SYSTEMD_SULOGIN_FORCE=1\n", 0644,
                        "option emergencyAccess=open: sulogin gives a root shell without password");
            }
        }
    }

    /** /etc/shadow with root's password field for this access. */
    static String shadow(EmergencyAccess access) {
        // Locked and open alike: an open shell comes from SYSTEMD_SULOGIN_FORCE, not a password.
        String field = access instanceof EmergencyAccess.Hash h ? h.crypt() : "!";
        if (field.contains(":") || field.contains("\n")) {
            throw new InitrdBuildException("option emergencyAccess: a password hash cannot contain ':' or a newline");
        }
        return "root:" + field + ":19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n";
    }

    private static String describe(EmergencyAccess access) {
        return access instanceof EmergencyAccess.Hash ? "hashed password" : access.value();
    }
}
