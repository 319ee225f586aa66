package org.initrdharness.stage1;

/**
 * Who may use the emergency and rescue shells: "locked" (sulogin refuses and says the root
 * account is locked), "open" (a root shell on the console without a password) or a crypt(3)
 * hash (sulogin asks for that password).
 */
final class EmergencyAccess {
    private EmergencyAccess() {}

    /** /etc/shadow with root's password field for this access mode. */
    static String shadow(String access) {
        String field = switch (access) {
            case "locked", "open" -> "!";
            default -> access;
        };
        if (field.contains(":") || field.contains("\n")) {
            throw new org.initrdharness.initrd.InitrdBuildException(
                    "option emergencyAccess: a password hash cannot contain ':' or a newline");
        }
        return "root:" + field + ":19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n";
    }

    static String describe(String access) {
        return access.startsWith("$") ? "hashed password" : access;
    }

    static void compose(String access, Stage1Composition.Collector c) {
        if (!access.equals("open")) return;
        // sulogin would refuse a locked root; SYSTEMD_SULOGIN_FORCE=1 makes it give a shell.
        for (String unit : new String[] {"emergency.service", "rescue.service"}) {
            c.text(Component.CONFIG, SystemdStage1.ETC_UNITS + unit + ".d/stage1-open.conf",
                    "[Service]\nEnvironment=SYSTEMD_SULOGIN_FORCE=1\n", 0644,
                    "option emergencyAccess=open: sulogin gives a root shell without password");
        }
    }
}
