package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.CONFIG;
import static org.initrdharness.stage1.Component.CRYPTSETUP;
import static org.initrdharness.stage1.Component.FSCK;
import static org.initrdharness.stage1.Component.NETWORK;
import static org.initrdharness.stage1.Component.PLYMOUTH;
import static org.initrdharness.stage1.Component.SHELL;
import static org.initrdharness.stage1.Component.SYSTEMD;
import static org.initrdharness.stage1.Component.UDEV;
import static org.initrdharness.stage1.Component.USER;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.initrd.kmod.Stage1Modules;
import org.initrdharness.vm.Arch;

/**
 * The systemd stage-1 recipe: which units, binaries, rules and configuration a systemd initrd
 * needs, for one arch and one set of {@link Stage1Options}. It only names things;
 * {@link Stage1Assembler} copies them from a sysroot with their closure.
 *
 * <p>The set is deliberately small: the initrd targets and services, journald, udevd with the
 * rules that name disks, modules-load, fsck, the emergency and rescue shells, the console and
 * plymouth password agents, the fstab and cryptsetup generators, and {@code systemctl
 * switch-root} as the way out.
 */
public final class SystemdStage1 {
    static final String UNITS = "/usr/lib/systemd/system/";
    static final String ETC_UNITS = "/etc/systemd/system/";
    static final String MODULES_LOAD = "/etc/modules-load.d/stage1.conf";

    /** dm-crypt and the ciphers a LUKS2 aes-xts volume asks the kernel for (xts builds on ecb). */
    static List<String> cryptModules() {
        List<String> m = new java.util.ArrayList<>(Stage1Modules.luks());
        m.add("ecb");
        return m;
    }

    private final Arch arch;
    private final Stage1Options options;
    private final Path sysroot;
    private final Stage1Composition.Collector c = new Stage1Composition.Collector();

    private SystemdStage1(Arch arch, Stage1Options options, Path sysroot) {
        this.arch = arch;
        this.options = options;
        this.sysroot = sysroot;
    }

    /**
     * Composes the stage 1 for {@code arch}. {@code sysroot} (may be null) is only looked at for
     * its merged-/usr links, which the initrd repeats; without it a merged-/usr layout is assumed.
     */
    public static Stage1Composition compose(Arch arch, Stage1Options options, Path sysroot) {
        SystemdStage1 r = new SystemdStage1(arch, options, sysroot);
        r.layout();
        r.systemd();
        r.udev();
        if (options.fsck()) r.fsck();
        if (options.cryptsetup()) r.cryptsetup();
        if (options.plymouth()) r.plymouth();
        if (options.network() != null) r.network(options.network());
        r.shell();
        r.config();
        r.modules();
        LegacyHooks.compose(options, r.c);
        r.user();
        return r.c.build();
    }

    private String lib() {
        return "/usr/lib/" + arch.triplet();
    }

    // ---------------------------------------------------------------- layout

    private void layout() {
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            String target = mergedUsrLink(top);
            if (target != null) c.link(SYSTEMD, "/" + top, target, "merged /usr: /" + top + " as in the sysroot");
        }
        for (String d : List.of("/dev", "/proc", "/sys", "/run", "/sysroot", "/tmp", "/root", "/var", "/etc")) {
            c.dir(SYSTEMD, d, d.equals("/tmp") ? 01777 : d.equals("/root") ? 0700 : 0755, "mount point");
        }
        // The kernel opens /dev/console for init before anything mounts devtmpfs.
        c.put(SYSTEMD, new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "initial console"));
        c.link(SYSTEMD, "/init", "/usr/lib/systemd/systemd", "the kernel runs /init: systemd");
    }

    /** The link target of /bin, /lib... in the sysroot, or null when it is not a link there. */
    private String mergedUsrLink(String top) {
        if (sysroot == null) {
            if (top.equals("lib64")) return arch == Arch.X86_64 ? "usr/lib64" : null;
            return "usr/" + top;
        }
        Path p = sysroot.resolve(top);
        if (!Files.isSymbolicLink(p)) return null;
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw new InitrdBuildException("cannot read link " + p + ": " + e.getMessage(), e);
        }
    }

    private void unit(Component comp, String name, String why) {
        c.want(comp, UNITS + name, "unit: " + why);
    }

    private void units(Component comp, String why, String... names) {
        for (String n : names) unit(comp, n, why);
    }

    /** A .wants link in the package unit directory, as `systemctl enable` would make. */
    private void wantedBy(Component comp, String target, String unit) {
        c.link(comp, UNITS + target + ".wants/" + unit, "../" + unit, unit + " wanted by " + target);
    }

    // ---------------------------------------------------------------- systemd

    private void systemd() {
        String b = "/usr/lib/systemd/";
        c.want(SYSTEMD, b + "systemd", "the service manager, run as /init");
        c.want(SYSTEMD, "/usr/bin/systemctl", "switch-root, isolate, daemon-reload in initrd units");
        c.want(SYSTEMD, b + "systemd-journald", "the journal: logs of the boot");
        c.want(SYSTEMD, b + "systemd-modules-load", "loads modules-load.d");
        c.want(SYSTEMD, b + "systemd-sulogin-shell", "emergency and rescue shells");
        c.want(SYSTEMD, b + "systemd-shutdown", "poweroff and reboot from the initrd");
        c.want(SYSTEMD, "/usr/bin/systemd-tty-ask-password-agent", "console password agent");
        c.want(SYSTEMD, "/usr/bin/journalctl", "reading the journal from the emergency shell");
        c.want(SYSTEMD, b + "system-generators/systemd-fstab-generator", "root= and /etc/fstab to sysroot.mount");
        c.want(SYSTEMD, b + "system-generators/systemd-debug-generator", "rd.systemd.mask=, rd.systemd.wants=");
        c.want(SYSTEMD, "/usr/bin/mount", "mount units");
        c.want(SYSTEMD, "/usr/bin/umount", "mount units");
        c.want(SYSTEMD, "/usr/sbin/sulogin", "emergency and rescue shells");

        units(SYSTEMD, "the initrd's targets and services",
                "initrd.target", "initrd-root-device.target", "initrd-root-fs.target", "initrd-fs.target",
                "initrd-usr-fs.target", "initrd-parse-etc.service", "initrd-cleanup.service",
                "initrd-switch-root.target", "initrd-switch-root.service");
        units(SYSTEMD, "early boot targets",
                "sysinit.target", "basic.target", "local-fs.target", "local-fs-pre.target", "swap.target",
                "slices.target", "sockets.target", "paths.target", "timers.target",
                "remote-fs.target", "remote-fs-pre.target", "network.target", "network-pre.target",
                "network-online.target", "blockdev@.target");
        units(SYSTEMD, "emergency, rescue and shutdown",
                "emergency.target", "emergency.service", "rescue.target", "rescue.service",
                "shutdown.target", "umount.target", "final.target", "reboot.target", "poweroff.target",
                "halt.target", "systemd-reboot.service", "systemd-poweroff.service", "systemd-halt.service");
        c.link(SYSTEMD, UNITS + "ctrl-alt-del.target", "reboot.target", "unit: Ctrl-Alt-Del reboots");
        c.link(SYSTEMD, UNITS + "default.target", "initrd.target", "unit: the initrd boots to initrd.target");
        units(SYSTEMD, "journald", "systemd-journald.service", "systemd-journald.socket",
                "systemd-journald-dev-log.socket", "systemd-journald-audit.socket");
        units(SYSTEMD, "modules-load.d", "systemd-modules-load.service", "modprobe@.service");
        units(SYSTEMD, "console password agent",
                "systemd-ask-password-console.path", "systemd-ask-password-console.service");
        wantedBy(SYSTEMD, "sysinit.target", "systemd-journald.service");
        wantedBy(SYSTEMD, "sysinit.target", "systemd-modules-load.service");
        wantedBy(SYSTEMD, "sysinit.target", "systemd-ask-password-console.path");
        wantedBy(SYSTEMD, "sockets.target", "systemd-journald.socket");
        wantedBy(SYSTEMD, "sockets.target", "systemd-journald-dev-log.socket");
    }

    // ---------------------------------------------------------------- udev

    private void udev() {
        c.want(UDEV, "/usr/bin/udevadm", "udevd, trigger, settle");
        c.want(UDEV, "/usr/lib/systemd/systemd-udevd", "the device manager");
        c.want(UDEV, "/usr/bin/kmod", "modprobe for the kernel's module requests");
        c.want(UDEV, "/usr/sbin/modprobe", "the kernel calls /sbin/modprobe (fs-ext4, crypto-xts)");
        units(UDEV, "udev", "systemd-udevd.service", "systemd-udevd-control.socket", "systemd-udevd-kernel.socket",
                "systemd-udev-trigger.service", "systemd-udev-settle.service", "initrd-udevadm-cleanup-db.service");
        wantedBy(UDEV, "sysinit.target", "systemd-udevd.service");
        wantedBy(UDEV, "sysinit.target", "systemd-udev-trigger.service");
        wantedBy(UDEV, "sockets.target", "systemd-udevd-control.socket");
        wantedBy(UDEV, "sockets.target", "systemd-udevd-kernel.socket");
        for (String rule : List.of("50-udev-default.rules", "60-block.rules", "60-persistent-storage.rules",
                "80-drivers.rules", "99-systemd.rules")) {
            c.want(UDEV, "/usr/lib/udev/rules.d/" + rule, "udev rule: device names, by-label/by-uuid, module autoload, systemd tags");
        }
    }

    // ---------------------------------------------------------------- fsck

    private void fsck() {
        c.want(FSCK, "/usr/lib/systemd/systemd-fsck", "checks /sysroot before mounting it");
        c.want(FSCK, "/usr/sbin/fsck", "systemd-fsck runs fsck");
        c.want(FSCK, "/usr/sbin/fsck.ext4", "fsck runs fsck.<type>");
        c.want(FSCK, "/usr/sbin/e2fsck", "the ext2/3/4 checker");
        unit(FSCK, "systemd-fsck@.service", "the root file system check");
    }

    // ---------------------------------------------------------------- cryptsetup

    private void cryptsetup() {
        c.want(CRYPTSETUP, "/usr/lib/systemd/systemd-cryptsetup", "opens LUKS volumes");
        c.want(CRYPTSETUP, "/usr/lib/systemd/system-generators/systemd-cryptsetup-generator",
                "rd.luks.* and /etc/crypttab to systemd-cryptsetup@ units");
        c.want(CRYPTSETUP, "/usr/sbin/dmsetup", "udev's device-mapper rules call dmsetup");
        units(CRYPTSETUP, "cryptsetup", "cryptsetup.target", "cryptsetup-pre.target", "remote-cryptsetup.target",
                "system-systemd\\x2dcryptsetup.slice");
        wantedBy(CRYPTSETUP, "sysinit.target", "cryptsetup.target");
        for (String rule : List.of("55-dm.rules", "60-persistent-storage-dm.rules", "95-dm-notify.rules")) {
            c.want(CRYPTSETUP, "/usr/lib/udev/rules.d/" + rule, "udev rule: device-mapper names and udev sync");
        }
        cryptModules().forEach(c::module);
    }

    // ---------------------------------------------------------------- plymouth

    private void plymouth() {
        String plugins = lib() + "/plymouth/";
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
        units(PLYMOUTH, "plymouth", "plymouth-start.service", "plymouth-switch-root.service",
                "systemd-ask-password-plymouth.path", "systemd-ask-password-plymouth.service");
        wantedBy(PLYMOUTH, "sysinit.target", "plymouth-start.service");
        wantedBy(PLYMOUTH, "sysinit.target", "systemd-ask-password-plymouth.path");
        wantedBy(PLYMOUTH, "initrd-switch-root.target", "plymouth-switch-root.service");
        // plymouth-start waits for udev coldplug; when the boot falls into emergency first, its
        // pending start would bring plymouthd up after the shell's `plymouth quit`, and plymouthd
        // would take the console's input from sulogin. Starting the shell cancels it instead.
        for (String shell : List.of("emergency.service", "rescue.service")) {
            c.text(PLYMOUTH, ETC_UNITS + shell + ".d/stage1-plymouth.conf",
                    "[Unit]\nConflicts=plymouth-start.service\n", 0644,
                    "plymouth: a splash starting late must not take the console from the " + shell);
        }
    }

    // ---------------------------------------------------------------- network

    private void network(Stage1Options.Network net) {
        c.want(NETWORK, "/usr/lib/systemd/systemd-networkd", "network configuration in stage 1");
        units(NETWORK, "networkd", "systemd-networkd.service", "systemd-networkd.socket");
        wantedBy(NETWORK, "initrd.target", "systemd-networkd.service");
        wantedBy(NETWORK, "sockets.target", "systemd-networkd.socket");
        Map<String, String> files = net.networkFiles().isEmpty()
                ? Map.of("99-stage1-dhcp.network", "[Match]\nName=e*\n\n[Network]\nDHCP=yes\n")
                : net.networkFiles();
        files.forEach((name, text) -> {
            if (!name.endsWith(".network") && !name.endsWith(".link") && !name.endsWith(".netdev")) {
                throw new InitrdBuildException("option network.networkFiles: '" + name
                        + "' must end in .network, .link or .netdev");
            }
            c.text(NETWORK, "/etc/systemd/network/" + name, text, 0644, "option network.networkFiles");
        });
        net.kernelModules().forEach(c::module);
    }

    // ---------------------------------------------------------------- shell

    private void shell() {
        if (options.hookShell().equals("bash")) {
            c.want(SHELL, "/usr/bin/bash", "option hookShell: root's shell and legacy hooks");
            c.link(SHELL, "/usr/bin/sh", "bash", "option hookShell: /bin/sh");
        } else {
            c.want(SHELL, "/usr/bin/busybox", "root's shell and legacy hooks (static busybox, applets built in)");
            c.link(SHELL, "/usr/bin/sh", "busybox", "/bin/sh is busybox");
        }
    }

    /** The shell legacy hooks run in. */
    static String hookShellPath(Stage1Options o) {
        return o.hookShell().equals("bash") ? "/usr/bin/bash" : "/usr/bin/busybox sh";
    }

    // ---------------------------------------------------------------- configuration

    private void config() {
        String release = "NAME=\"initrd-harness stage 1\"\nID=initrd-harness\nVERSION_ID=1\n"
                + "PRETTY_NAME=\"initrd-harness systemd stage 1 (" + arch.id() + ")\"\n";
        c.text(CONFIG, "/etc/initrd-release", release, 0644, "systemd runs in initrd mode when this exists");
        c.link(CONFIG, "/etc/os-release", "initrd-release", "os-release of the initrd");
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
        c.text(CONFIG, "/etc/shadow", EmergencyAccess.shadow(options.emergencyAccess()), 0600,
                "option emergencyAccess=" + EmergencyAccess.describe(options.emergencyAccess()));
        EmergencyAccess.compose(options.emergencyAccess(), c);

        StringBuilder manager = new StringBuilder("[Manager]\n");
        if (options.startTimeoutSec() != null) {
            manager.append("DefaultTimeoutStartSec=").append(options.startTimeoutSec()).append("s\n");
        }
        if (options.deviceTimeoutSec() != null) {
            manager.append("DefaultDeviceTimeoutSec=").append(options.deviceTimeoutSec()).append("s\n");
        }
        c.text(CONFIG, "/etc/systemd/system.conf", manager.toString(), 0644,
                "options startTimeoutSec, deviceTimeoutSec");
        if (options.journalToConsole()) {
            c.text(CONFIG, "/etc/systemd/journald.conf", "[Journal]\nForwardToConsole=yes\nMaxLevelConsole=info\n",
                    0644, "option journalToConsole");
        }
        if (!options.fileSystems().isEmpty()) {
            c.text(CONFIG, "/etc/fstab", Fstab.fstab(options), 0644, "option fileSystems");
        }
        if (!options.luks().isEmpty()) {
            if (!options.cryptsetup()) {
                throw new InitrdBuildException("option luks names volumes but option cryptsetup is false:"
                        + " set cryptsetup to true or remove luks");
            }
            c.text(CONFIG, "/etc/crypttab", Fstab.crypttab(options), 0644, "option luks");
            for (Stage1Options.LuksVolume v : options.luks()) {
                String key = Fstab.keyPath(v);
                if (v.passphrase() != null) {
                    c.put(CONFIG, new PlanEntry.Generated(InitrdPath.of(key),
                            v.passphrase().getBytes(java.nio.charset.StandardCharsets.UTF_8), 0400,
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

    private void modules() {
        Stage1Modules.virtioDisk().forEach(c::module);
        Stage1Modules.ext4().forEach(c::module);
        options.kernelModules().forEach(c::module);
        if (!options.modprobeOptions().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            options.modprobeOptions().forEach((m, o) -> sb.append("options ").append(m).append(' ').append(o).append('\n'));
            c.text(Component.MODULES, "/etc/modprobe.d/stage1.conf", sb.toString(), 0644, "option modprobeOptions");
        }
        c.text(Component.MODULES, MODULES_LOAD, String.join("\n", c.modules()) + "\n", 0644,
                "modules systemd-modules-load loads early, before udev coldplug finds the devices");
    }

    // ---------------------------------------------------------------- user additions

    private void user() {
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
                if (!options.units().containsKey(u)) unit(USER, u, "option wants: " + target + " wants it");
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
