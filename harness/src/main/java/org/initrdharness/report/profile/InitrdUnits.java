package org.initrdharness.report.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;

/** The unit names an initrd ships: what a cut status line may name beyond systemd's own units. */
public final class InitrdUnits {
    private static final Pattern UNIT_DIR = Pattern.compile("^/?(usr/)?(lib|etc)/systemd/system/([^/]+)$");
    private static final Pattern UNIT_NAME = Pattern.compile(".+\\.(service|target|mount|socket|path|timer|device|swap|slice|automount)$");

    private InitrdUnits() {}

    /** Names of the unit files (and links) in the initrd's systemd unit directories. */
    public static Set<String> of(Path initrd) throws IOException {
        Set<String> names = new TreeSet<>();
        for (InitrdEntry e : InitrdReader.read(initrd).entries()) {
            var m = UNIT_DIR.matcher(e.path());
            if (m.matches() && UNIT_NAME.matcher(m.group(3)).matches()) names.add(m.group(3));
        }
        return names;
    }
}
