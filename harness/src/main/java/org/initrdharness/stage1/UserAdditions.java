package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.USER;
import static org.initrdharness.stage1.SystemdStage1.ETC_UNITS;
import static org.initrdharness.stage1.SystemdStage1.UNITS;

import org.initrdharness.initrd.InitrdBuildException;

/** What the options add as they are: units, wants, drop-ins, binaries and files. */
final class UserAdditions {
    private UserAdditions() {}

    static void compose(Stage1Options options, Stage1Composition.Collector c) {
        options.units().forEach((name, text) -> {
            checkUnitName(name, "units");
            c.text(USER, ETC_UNITS + name, text, 0644, "option units");
        });
        options.wants().forEach((target, list) -> {
            checkUnitName(target, "wants");
            for (String u : list) {
                checkUnitName(u, "wants." + target);
                c.link(USER, ETC_UNITS + target + ".wants/" + u, UNITS + u,
                        "option wants: " + u + " wanted by " + target);
                if (!options.units().containsKey(u)) c.unit(USER, u, "option wants: " + target + " wants it");
            }
        });
        options.dropIns().forEach((key, text) -> {
            int slash = key.indexOf('/');
            if (slash < 0 || !key.endsWith(".conf")) {
                throw new InitrdBuildException("option dropIns: key '" + key
                        + "' must look like \"unit.service/name.conf\"");
            }
            checkUnitName(key.substring(0, slash), "dropIns");
            c.text(USER, ETC_UNITS + key.substring(0, slash) + ".d/" + key.substring(slash + 1), text, 0644,
                    "option dropIns");
        });
        for (String b : options.binaries()) {
            if (!b.startsWith("/")) {
                throw new InitrdBuildException("option binaries: '" + b + "' must be an absolute sysroot path");
            }
            c.want(USER, b, "option binaries");
        }
        options.files().forEach((path, text) -> c.text(USER, path, text, 0644, "option files"));
    }

    private static void checkUnitName(String name, String option) {
        if (!name.matches("[A-Za-z0-9:_.\\\\@-]+\\.(service|target|socket|mount|path|timer|slice|device|swap|automount|scope)")) {
            throw new InitrdBuildException("option " + option + ": '" + name
                    + "' is not a unit name (name.service, name.target, ...)");
        }
    }
}
