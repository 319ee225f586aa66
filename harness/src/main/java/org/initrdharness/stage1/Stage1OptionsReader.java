package org.initrdharness.stage1;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.JsonValues;

/**
 * Reads a stage-1 options file into {@link Stage1Options.Builder}, key by key, so that every
 * error names the file, the key's path ("luks[1].name"), the value and what is allowed, in the
 * words of the file rather than of a Java type. null for a key means its default, as in the
 * builder; null inside a list or map is an error.
 */
final class Stage1OptionsReader {
    static final List<String> KEYS = List.of("binaries", "btrfs", "cryptsetup", "deviceTimeoutSec", "dropIns",
            "emergencyAccess", "exitrd", "fileSystems", "files", "fsck", "hookShell", "journalToConsole", "kernelModules",
            "luks", "lvm", "mdraid", "modprobeOptions", "network", "plymouth", "postDeviceCommands", "postMountCommands",
            "preDeviceCommands", "preFailCommands", "sshUnlock", "startTimeoutSec", "tpm2", "units", "wants");
    private static final List<String> FILE_SYSTEM_KEYS = List.of("device", "fsType", "mountPoint", "options");
    private static final List<String> LUKS_KEYS = List.of("device", "keyFile", "name", "options", "passphrase");
    private static final List<String> NETWORK_KEYS = List.of("kernelModules", "networkFiles");
    private static final List<String> SSH_UNLOCK_KEYS = List.of("authorizedKeys", "hostKey");

    private final String origin;

    Stage1OptionsReader(String origin) {
        this.origin = origin;
    }

    Stage1Options read(String json) {
        Object root;
        try {
            root = JsonValues.parse(json);
        } catch (JsonValues.SyntaxError e) {
            throw new InitrdBuildException(origin + ": not valid JSON: " + e.where());
        }
        if (root == JsonValues.NULL) return Stage1Options.defaults();
        Map<String, Object> top = object(root, "");
        known(top, KEYS, "");
        Stage1Options.Builder b = Stage1Options.builder();
        for (Map.Entry<String, Object> e : top.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue() == JsonValues.NULL ? null : e.getValue();
            switch (key) {
                case "cryptsetup" -> b.cryptsetup(bool(v, key));
                case "plymouth" -> b.plymouth(bool(v, key));
                case "tpm2" -> b.tpm2(bool(v, key));
                case "exitrd" -> b.exitrd(bool(v, key));
                case "sshUnlock" -> b.sshUnlock(v == null ? null : sshUnlock(v, key));
                case "fsck" -> b.fsck(bool(v, key));
                case "lvm" -> b.lvm(bool(v, key));
                case "mdraid" -> b.mdraid(bool(v, key));
                case "btrfs" -> b.btrfs(bool(v, key));
                case "journalToConsole" -> b.journalToConsole(bool(v, key));
                case "fileSystems" -> b.fileSystems(list(v, key, this::fileSystem));
                case "luks" -> b.luks(list(v, key, this::luksVolume));
                case "kernelModules" -> b.kernelModules(strings(v, key));
                case "binaries" -> b.binaries(strings(v, key));
                case "modprobeOptions" -> b.modprobeOptions(textMap(v, key));
                case "units" -> b.units(textMap(v, key));
                case "dropIns" -> b.dropIns(textMap(v, key));
                case "files" -> b.files(textMap(v, key));
                case "wants" -> b.wants(v == null ? null : map(v, key, this::strings));
                case "emergencyAccess" -> b.emergencyAccess(v == null ? null : wrap(() -> EmergencyAccess.of(string(v, key))));
                case "hookShell" -> b.hookShell(v == null ? null : wrap(() -> HookShell.of(string(v, key))));
                case "deviceTimeoutSec" -> b.deviceTimeoutSec(seconds(v, key));
                case "startTimeoutSec" -> b.startTimeoutSec(seconds(v, key));
                case "network" -> b.network(v == null ? null : network(v, key));
                case "preDeviceCommands" -> b.preDeviceCommands(v == null ? null : string(v, key));
                case "postDeviceCommands" -> b.postDeviceCommands(v == null ? null : string(v, key));
                case "postMountCommands" -> b.postMountCommands(v == null ? null : string(v, key));
                case "preFailCommands" -> b.preFailCommands(v == null ? null : string(v, key));
                default -> throw new AssertionError(key); // known() let it through
            }
        }
        return wrap(b::build);
    }

    private Stage1Options.FileSystem fileSystem(Object v, String at) {
        Map<String, Object> m = object(v, at);
        known(m, FILE_SYSTEM_KEYS, at);
        return wrap(() -> new Stage1Options.FileSystem(required(m, "device", at), optional(m, "mountPoint", at),
                optional(m, "fsType", at), optional(m, "options", at)));
    }

    private Stage1Options.LuksVolume luksVolume(Object v, String at) {
        Map<String, Object> m = object(v, at);
        known(m, LUKS_KEYS, at);
        return wrap(() -> new Stage1Options.LuksVolume(required(m, "name", at), required(m, "device", at),
                optional(m, "passphrase", at), optional(m, "keyFile", at), optional(m, "options", at)));
    }

    private Stage1Options.Network network(Object v, String at) {
        Map<String, Object> m = object(v, at);
        known(m, NETWORK_KEYS, at);
        Object files = m.get("networkFiles") == JsonValues.NULL ? null : m.get("networkFiles");
        Object modules = m.get("kernelModules") == JsonValues.NULL ? null : m.get("kernelModules");
        return wrap(() -> new Stage1Options.Network(textMap(files, at + ".networkFiles"),
                strings(modules, at + ".kernelModules")));
    }

    private Stage1Options.SshUnlock sshUnlock(Object v, String at) {
        Map<String, Object> m = object(v, at);
        known(m, SSH_UNLOCK_KEYS, at);
        Object keys = m.get("authorizedKeys") == JsonValues.NULL ? null : m.get("authorizedKeys");
        return wrap(() -> new Stage1Options.SshUnlock(required(m, "hostKey", at), strings(keys, at + ".authorizedKeys")));
    }

    /** Runs a constructor or builder step, its rule's message prefixed with the file. */
    private <T> T wrap(java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (InitrdBuildException e) {
            throw e.getMessage().startsWith(origin + ": ") ? e : new InitrdBuildException(origin + ": " + e.getMessage(), e);
        }
    }

    private InitrdBuildException bad(String at, Object value, String what) {
        return new InitrdBuildException(origin + ": option " + at + ": " + shown(value) + " " + what);
    }

    /** A JSON value as the file has it, cut and escaped to fit one line. */
    private static String shown(Object v) {
        if (v instanceof String s) return OptionRules.quote(s);
        if (v instanceof JsonValues.Num n) return OptionRules.quote(n.text());
        return JsonValues.typeOf(v);
    }

    private void known(Map<String, Object> m, List<String> keys, String at) {
        for (String k : m.keySet()) {
            if (!keys.contains(k)) {
                throw new InitrdBuildException(origin + ": unknown option " + OptionRules.quote(k)
                        + (at.isEmpty() ? "" : " in " + at) + "; known options there: " + String.join(", ", keys));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Object v, String at) {
        if (!(v instanceof Map)) {
            throw new InitrdBuildException(origin + ": " + (at.isEmpty() ? "the options" : "option " + at)
                    + " must be a JSON object {...}, not " + shown(v));
        }
        return (Map<String, Object>) v;
    }

    private Boolean bool(Object v, String at) {
        if (v != null && !(v instanceof Boolean)) throw bad(at, v, "is not true or false");
        return (Boolean) v;
    }

    private String string(Object v, String at) {
        if (!(v instanceof String s)) throw bad(at, v, "is not a string");
        if (s.indexOf('\0') >= 0) throw bad(at, v, "holds a NUL character, which no file here may");
        return s;
    }

    private String required(Map<String, Object> m, String key, String at) {
        Object v = m.get(key);
        if (v == null || v == JsonValues.NULL) {
            throw new InitrdBuildException(origin + ": option " + at + "." + key + " is missing; it is required");
        }
        return string(v, at + "." + key);
    }

    private String optional(Map<String, Object> m, String key, String at) {
        Object v = m.get(key);
        return v == null || v == JsonValues.NULL ? null : string(v, at + "." + key);
    }

    /** Whole seconds; 1.5, 1e3, "5" and true are refused rather than rounded or guessed. */
    private Integer seconds(Object v, String at) {
        if (v == null) return null;
        if (!(v instanceof JsonValues.Num n) || !n.isInt() || Integer.parseInt(n.text()) < 1
                || Integer.parseInt(n.text()) > OptionRules.MAX_TIMEOUT_SEC) {
            throw bad(at, v, "is not a whole number of seconds from 1 to " + OptionRules.MAX_TIMEOUT_SEC);
        }
        return Integer.parseInt(n.text());
    }

    private interface Element<T> {
        T read(Object value, String at);
    }

    private <T> List<T> list(Object v, String at, Element<T> element) {
        if (v == null) return null;
        if (!(v instanceof List<?> l)) throw bad(at, v, "is not a list [...]");
        List<T> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            String here = at + "[" + i + "]";
            if (l.get(i) == JsonValues.NULL) throw bad(here, l.get(i), "is not allowed in a list; remove it");
            out.add(element.read(l.get(i), here));
        }
        return out;
    }

    private List<String> strings(Object v, String at) {
        return list(v, at, this::string);
    }

    private <T> Map<String, T> map(Object v, String at, Element<T> value) {
        Map<String, Object> m = object(v, at);
        Map<String, T> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            String here = at + "." + e.getKey();
            if (e.getValue() == JsonValues.NULL) throw bad(here, e.getValue(), "is not allowed as a value; remove the key");
            out.put(e.getKey(), value.read(e.getValue(), here));
        }
        return out;
    }

    private Map<String, String> textMap(Object v, String at) {
        return v == null ? null : map(v, at, this::string);
    }
}
