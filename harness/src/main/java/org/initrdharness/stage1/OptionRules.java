package org.initrdharness.stage1;

import java.util.regex.Pattern;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;

/**
 * The checks every stage-1 option value passes, whether it came from JSON or the builder: each
 * one keeps what an option writes inside the place it is meant for (a unit directory, /sysroot,
 * one line of a configuration file). Messages start "option PATH: 'value'" and say what is
 * allowed.
 */
final class OptionRules {
    /** systemd's unit name characters and the unit types a stage 1 uses. */
    private static final Pattern UNIT = Pattern.compile(
            "[A-Za-z0-9:_.\\\\@-]+\\.(service|target|socket|mount|path|timer|slice|device|swap|automount|scope)");
    private static final Pattern CONF = Pattern.compile("[A-Za-z0-9:_.@-]+\\.conf");
    private static final Pattern NETWORK_FILE = Pattern.compile("[A-Za-z0-9:_.@-]+\\.(network|link|netdev)");
    /** Module names and the aliases modprobe takes (pci:v*d*...), one word without '/'. */
    private static final Pattern MODULE = Pattern.compile("[A-Za-z0-9_.,:*?+\\[\\]-]+");
    /** The longest timeout taken, a day: a stage 1 that waits longer waits for ever. */
    static final int MAX_TIMEOUT_SEC = 86_400;

    private OptionRules() {}

    static InitrdBuildException bad(String option, String value, String what) {
        return new InitrdBuildException("option " + option + ": " + quote(value) + " " + what);
    }

    /** A value in quotes, control characters escaped and long text cut, so a message stays one line. */
    static String quote(String s) {
        return InitrdPath.shown(s);
    }

    static void unitName(String option, String name) {
        if (name == null || !UNIT.matcher(name).matches()) {
            throw bad(option, name, "is not a unit name: use name.service, name.target, name.mount, ..."
                    + " (letters, digits and :_.\\@- only)");
        }
    }

    /** "unit.service/name.conf": one unit directory, one file in it. */
    static void dropInKey(String option, String key) {
        int slash = key == null ? -1 : key.indexOf('/');
        if (slash < 0 || !UNIT.matcher(key.substring(0, slash)).matches()
                || !CONF.matcher(key.substring(slash + 1)).matches() || key.substring(slash + 1).startsWith(".")) {
            throw bad(option, key, "is not \"unit.service/name.conf\" (a unit name, one '/', a file name ending"
                    + " in .conf, no other '/' or \"..\")");
        }
    }

    static void networkFile(String option, String name) {
        if (name == null || !NETWORK_FILE.matcher(name).matches() || name.startsWith(".")) {
            throw bad(option, name, "is not a file name ending in .network, .link or .netdev (no '/')");
        }
    }

    static void moduleName(String option, String name) {
        if (name == null || !MODULE.matcher(name).matches()) {
            throw bad(option, name, "is not a kernel module name or alias (one word, no '/' or white space)");
        }
    }

    /** Text that goes on one line of a configuration file: a newline would add lines of its own. */
    static void oneLine(String option, String value) {
        if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
            throw bad(option, value, "must be text on one line");
        }
    }

    /** A field of an fstab or crypttab line: not empty, no white space or control character. */
    static void tableField(String option, String value) {
        if (value == null || value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw bad(option, value, "must be one word: fstab and crypttab fields cannot be empty or hold white space");
        }
    }

    static void timeout(String option, Integer seconds) {
        if (seconds != null && (seconds < 1 || seconds > MAX_TIMEOUT_SEC)) {
            throw bad(option, seconds.toString(), "is not a whole number of seconds from 1 to " + MAX_TIMEOUT_SEC);
        }
    }

    /** A path in the initrd that an option writes: absolute, no "..", not the root. */
    static InitrdPath initrdPath(String option, String path) {
        try {
            return InitrdPath.entry(path);
        } catch (InitrdBuildException e) {
            throw new InitrdBuildException("option " + option + ": " + e.getMessage());
        }
    }

    /** "/sysroot" or below it, written without ".." (fstab's generator would resolve it). */
    static void mountPoint(String option, String mountPoint) {
        if (mountPoint == null || !mountPoint.startsWith("/") || mountPoint.contains("\0")
                || mountPoint.matches("(.*/)?\\.\\.(/.*)?")) {
            throw bad(option, mountPoint, "must be /sysroot or a path below it, without \"..\"");
        }
        InitrdPath p = InitrdPath.of(mountPoint);
        if (!p.value().equals("/sysroot") && !p.value().startsWith("/sysroot/")) {
            throw bad(option, mountPoint, "is not /sysroot or below it");
        }
    }
}
