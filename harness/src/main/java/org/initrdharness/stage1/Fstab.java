package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CONFIG;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.PlanEntry;

/** The initrd's /etc/fstab and /etc/crypttab with its key files, written from {@link Stage1Options}. */
final class Fstab {
    private Fstab() {}

    static void compose(Stage1Options options, Stage1Composition.Collector c) {
        if (!options.fileSystems().isEmpty()) {
            c.text(CONFIG, "/etc/fstab", fstab(options), 0644, "option fileSystems");
        }
        if (!options.luks().isEmpty()) {
            if (!options.cryptsetup()) {
                throw new InitrdBuildException("option luks names volumes but option cryptsetup is false:"
                        + " set cryptsetup to true or remove luks");
            }
            c.text(CONFIG, "/etc/crypttab", crypttab(options), 0644, "option luks");
            for (Stage1Options.LuksVolume v : options.luks()) {
                String key = keyPath(v);
                if (v.passphrase() != null) {
                    c.put(CONFIG, new PlanEntry.Generated(InitrdPath.of(key),
                            v.passphrase().getBytes(StandardCharsets.UTF_8), 0400,
                            "option luks '" + v.name() + "' passphrase (a key file in the initrd)"));
                } else if (v.keyFile() != null) {
                    Path host = Path.of(v.keyFile());
                    if (!Files.isRegularFile(host)) {
                        throw new InitrdBuildException("option luks '" + v.name() + "': keyFile " + host
                                + " is not a readable file on this host");
                    }
                    c.put(CONFIG, new PlanEntry.RegularFile(InitrdPath.of(key), host.toAbsolutePath(), 0400,
                            "option luks '" + v.name() + "' keyFile " + host));
                }
            }
        }
    }

    /**
     * One line a file system, mounted under /sysroot by systemd-fstab-generator. The root is
     * checked with fsck (pass 1) when fsck is included; a device timeout shortens the wait for a
     * missing disk.
     */
    static String fstab(Stage1Options o) {
        StringBuilder sb = new StringBuilder("# written by initrd-harness from option fileSystems\n");
        for (Stage1Options.FileSystem fs : o.fileSystems()) {
            // Without these the generator files the mount under local-fs.target, and isolating
            // initrd-switch-root.target unmounts it again before switch-root.
            String opts = fs.options() + ",x-initrd.mount";
            if (fs.mountPoint().equals("/sysroot")) {
                opts += ",x-systemd.before=initrd-root-fs.target,x-systemd.required-by=initrd-root-fs.target";
            }
            if (o.deviceTimeoutSec() != null) opts += ",x-systemd.device-timeout=" + o.deviceTimeoutSec() + "s";
            int pass = o.fsck() && !fs.fsType().equals("tmpfs") ? (fs.mountPoint().equals("/sysroot") ? 1 : 2) : 0;
            sb.append(field(fs.device(), "device")).append(' ').append(field(fs.mountPoint(), "mountPoint"))
                    .append(' ').append(field(fs.fsType(), "fsType")).append(' ').append(field(opts, "options"))
                    .append(" 0 ").append(pass).append('\n');
        }
        return sb.toString();
    }

    /** One line a LUKS volume: name, device, key file or "none" (asked for), options. */
    static String crypttab(Stage1Options o) {
        StringBuilder sb = new StringBuilder("# written by initrd-harness from option luks\n");
        for (Stage1Options.LuksVolume v : o.luks()) {
            String key = v.passphrase() != null || v.keyFile() != null ? keyPath(v) : "none";
            String opts = v.options();
            if (o.deviceTimeoutSec() != null) opts += ",x-systemd.device-timeout=" + o.deviceTimeoutSec() + "s";
            sb.append(field(v.name(), "luks.name")).append(' ').append(field(v.device(), "luks.device")).append(' ')
                    .append(key).append(' ').append(field(opts, "luks.options")).append('\n');
        }
        return sb.toString();
    }

    /** Where a volume's key file lives in the initrd. */
    static String keyPath(Stage1Options.LuksVolume v) {
        return "/etc/cryptsetup-keys.d/" + field(v.name(), "luks.name") + ".key";
    }

    private static String field(String s, String option) {
        if (s == null || s.isEmpty() || s.chars().anyMatch(ch -> ch == ' ' || ch == '\t' || ch == '\n' || ch == '/' && option.equals("luks.name"))) {
            throw new InitrdBuildException("option " + option + ": '" + s
                    + "' is empty or has white space (or '/' in a volume name); fstab and crypttab fields cannot");
        }
        return s;
    }
}
