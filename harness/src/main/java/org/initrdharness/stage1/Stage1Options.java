package org.initrdharness.stage1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.JsonValues;

/**
 * What a systemd stage 1 should hold beyond its fixed core, read from a JSON file or made with
 * {@link #builder()}. Every key is optional; {@link #defaults()} has cryptsetup and plymouth and
 * boots whatever root the kernel command line names. Unknown keys are refused, naming the key
 * and the known ones. Over 400 lines because the builder is nested and every value is checked
 * here ({@link OptionRules}) whether JSON ({@link Stage1OptionsReader}) or code set it.
 *
 * @param cryptsetup       systemd-cryptsetup, its generator, dm-crypt modules and rules
 * @param plymouth         plymouthd, details and text splash, the plymouth password agent
 * @param fsck             systemd-fsck with fsck and e2fsck for the root file system
 * @param lvm              lvm2: its udev rules and event activation, so that volume groups come up
 *                         as their physical volumes appear (off by default)
 * @param fileSystems      entries of the initrd's /etc/fstab (mount points under /sysroot);
 *                         empty: root= on the kernel command line decides
 * @param luks             entries of the initrd's /etc/crypttab; empty: rd.luks.* decides
 * @param kernelModules    modules loaded by systemd-modules-load, on top of the disk modules
 * @param modprobeOptions  module name to options, written to /etc/modprobe.d
 * @param emergencyAccess  locked, open or a crypt(3) hash of root's password
 * @param deviceTimeoutSec how long a missing device is waited for (DefaultDeviceTimeoutSec and
 *                         x-systemd.device-timeout); null keeps systemd's 90 s
 * @param startTimeoutSec  DefaultTimeoutStartSec of the initrd's manager; null keeps 90 s
 * @param journalToConsole journald forwards every message to the console
 * @param network          systemd-networkd, or null for none
 * @param units            extra unit files: file name to text, in /etc/systemd/system
 * @param wants            target or unit name to units it should pull in (.wants symlinks)
 * @param dropIns          "unit.service/name.conf" to text, in /etc/systemd/system
 * @param binaries         sysroot paths copied with their closure (libraries, link chains)
 * @param files            initrd path to text, written as they are (mode 0644)
 * @param hookShell        the shell legacy hooks run in
 * @param preDeviceCommands  shell run before udev coldplug
 * @param postDeviceCommands shell run after devices settled and LUKS opened, before /sysroot
 * @param postMountCommands  shell run after /sysroot is mounted, before switch-root
 * @param preFailCommands    shell run when the boot falls into emergency
 * @param tpm2             what opening LUKS volumes with a systemd-tpm2 token needs (with cryptsetup)
 * @param sshUnlock        an SSH server (dropbear) that answers passphrase prompts, or null for none
 * @param exitrd           leave stage 1's tree in /run/initramfs as the shutdown initrd that stage
 *                         2's systemd returns to when it powers off (systemd-shutdown as /shutdown)
 * @param mdraid           mdadm with its udev rules: incremental assembly of md arrays as their
 *                         members appear, degraded start after mdadm's last-resort timer (off by default)
 * @param btrfs            the btrfs module and 64-btrfs.rules (udev's btrfs ready), so that a
 *                         file system over several devices mounts once all are there (off by default)
 */
public record Stage1Options(
        boolean cryptsetup,
        boolean plymouth,
        boolean fsck,
        boolean lvm,
        List<FileSystem> fileSystems,
        List<LuksVolume> luks,
        List<String> kernelModules,
        Map<String, String> modprobeOptions,
        EmergencyAccess emergencyAccess,
        Integer deviceTimeoutSec,
        Integer startTimeoutSec,
        boolean journalToConsole,
        Network network,
        Map<String, String> units,
        Map<String, List<String>> wants,
        Map<String, String> dropIns,
        List<String> binaries,
        Map<String, String> files,
        HookShell hookShell,
        String preDeviceCommands,
        String postDeviceCommands,
        String postMountCommands,
        String preFailCommands,
        boolean tpm2,
        SshUnlock sshUnlock,
        boolean exitrd,
        boolean mdraid,
        boolean btrfs) {

    /** A mount in the initrd's /etc/fstab; {@code mountPoint} is "/sysroot" or below it. */
    public record FileSystem(String device, String mountPoint, String fsType, String options) {
        public FileSystem(String device, String mountPoint, String fsType, String options) {
            this.device = device;
            this.mountPoint = mountPoint == null ? "/sysroot" : mountPoint;
            this.fsType = fsType == null ? "auto" : fsType;
            this.options = options == null ? "defaults" : options;
        }
    }

    /**
     * A LUKS volume opened as /dev/mapper/{@code name}. With neither {@code passphrase} nor
     * {@code keyFile} the passphrase is asked on the console (and through plymouth).
     *
     * @param device     "UUID=...", "LABEL=..." or a /dev path
     * @param passphrase written into the initrd as a key file (for tests only)
     * @param keyFile    a host file copied into the initrd as the key file
     */
    public record LuksVolume(String name, String device, String passphrase, String keyFile, String options) {
        public LuksVolume(String name, String device, String passphrase, String keyFile, String options) {
            this.name = name;
            this.device = device;
            this.passphrase = passphrase;
            this.keyFile = keyFile;
            this.options = options == null ? "luks" : options;
        }
    }

    /**
     * systemd-networkd in the initrd. {@code networkFiles} maps a file name ("10-eth.network")
     * to its text; empty means DHCP on the first Ethernet interface.
     */
    public record Network(Map<String, String> networkFiles, List<String> kernelModules) {
        public Network(Map<String, String> networkFiles, List<String> kernelModules) {
            this.networkFiles = networkFiles == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(networkFiles));
            this.kernelModules = kernelModules == null ? List.of("virtio_net") : List.copyOf(kernelModules);
            this.networkFiles.forEach((name, text) -> {
                OptionRules.networkFile("network.networkFiles", name);
                Objects.requireNonNull(text, "option network.networkFiles." + name);
            });
            for (int i = 0; i < this.kernelModules.size(); i++) {
                OptionRules.moduleName("network.kernelModules[" + i + "]", this.kernelModules.get(i));
            }
        }

        /** DHCP on the first Ethernet interface, virtio_net: what {@code "network": {}} means. */
        public static Network dhcp() {
            return new Network(null, null);
        }
    }

    /**
     * dropbear in stage 1 on port 22 (with option network), for answering passphrase prompts
     * over SSH: each authorized key may only run {@code systemd-tty-ask-password-agent --query}.
     *
     * @param hostKey        a host file holding an unencrypted OpenSSH Ed25519 private key, the
     *                       server's host key (written into the initrd in dropbear's format)
     * @param authorizedKeys public key lines ("ssh-ed25519 AAAA... comment") allowed to log in
     */
    public record SshUnlock(String hostKey, List<String> authorizedKeys) {
        public SshUnlock {
            if (hostKey == null || hostKey.isEmpty() || hostKey.indexOf('\0') >= 0) {
                throw OptionRules.bad("sshUnlock.hostKey", hostKey, "must be the path of an OpenSSH Ed25519 private key"
                        + " file on this host (ssh-keygen -t ed25519 -N '')");
            }
            authorizedKeys = authorizedKeys == null ? List.of() : List.copyOf(authorizedKeys);
            if (authorizedKeys.isEmpty()) {
                throw OptionRules.bad("sshUnlock.authorizedKeys", "[]", "must name at least one public key");
            }
            for (int i = 0; i < authorizedKeys.size(); i++) {
                String at = "sshUnlock.authorizedKeys[" + i + "]";
                OptionRules.oneLine(at, authorizedKeys.get(i));
                if (!authorizedKeys.get(i).matches("(ssh-(ed25519|rsa)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*( .*)?")) {
                    throw OptionRules.bad(at, authorizedKeys.get(i), "is not a public key line \"ssh-ed25519 AAAA... comment\""
                            + " (options are the harness's: it adds the forced command)");
                }
            }
        }
    }

    public Stage1Options {
        fileSystems = List.copyOf(fileSystems);
        luks = List.copyOf(luks);
        kernelModules = List.copyOf(kernelModules);
        modprobeOptions = sorted(modprobeOptions);
        Objects.requireNonNull(emergencyAccess, "emergencyAccess");
        units = sorted(units);
        wants = sortedWants(wants);
        dropIns = sorted(dropIns);
        binaries = List.copyOf(binaries);
        files = sorted(files);
        Objects.requireNonNull(hookShell, "hookShell");
        check(new Stage1Options.Checked(fileSystems, luks, kernelModules, modprobeOptions, deviceTimeoutSec,
                startTimeoutSec, units, wants, dropIns, binaries, files));
    }

    /** What {@link #check} looks at: the compact constructor's values before they are assigned. */
    private record Checked(List<FileSystem> fileSystems, List<LuksVolume> luks, List<String> kernelModules,
            Map<String, String> modprobeOptions, Integer deviceTimeoutSec, Integer startTimeoutSec,
            Map<String, String> units, Map<String, List<String>> wants, Map<String, String> dropIns,
            List<String> binaries, Map<String, String> files) {}

    /** The rules of {@link OptionRules}, with each value's place in the options. */
    private static void check(Checked o) {
        for (int i = 0; i < o.fileSystems.size(); i++) {
            FileSystem fs = o.fileSystems.get(i);
            String at = "fileSystems[" + i + "]";
            OptionRules.tableField(at + ".device", fs.device());
            OptionRules.mountPoint(at + ".mountPoint", fs.mountPoint());
            OptionRules.tableField(at + ".fsType", fs.fsType());
            OptionRules.tableField(at + ".options", fs.options());
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < o.luks.size(); i++) {
            LuksVolume v = o.luks.get(i);
            String at = "luks[" + i + "]";
            OptionRules.tableField(at + ".name", v.name());
            if (v.name().contains("/") || v.name().startsWith(".")) {
                throw OptionRules.bad(at + ".name", v.name(), "cannot hold '/' or start with '.': it names"
                        + " /dev/mapper/NAME and the key file NAME.key");
            }
            if (!names.add(v.name())) {
                throw OptionRules.bad(at + ".name", v.name(), "is the name of an earlier volume too; give each"
                        + " volume its own name");
            }
            OptionRules.tableField(at + ".device", v.device());
            OptionRules.tableField(at + ".options", v.options());
            if (v.passphrase() != null && v.keyFile() != null) {
                throw new InitrdBuildException("option " + at + " ('" + v.name()
                        + "'): give either passphrase or keyFile, not both");
            }
            if (v.keyFile() != null && (v.keyFile().isEmpty() || v.keyFile().indexOf('\0') >= 0)) {
                throw OptionRules.bad(at + ".keyFile", v.keyFile(), "must be the path of a file on this host");
            }
        }
        for (int i = 0; i < o.kernelModules.size(); i++) {
            OptionRules.moduleName("kernelModules[" + i + "]", o.kernelModules.get(i));
        }
        o.modprobeOptions.forEach((module, options) -> {
            OptionRules.moduleName("modprobeOptions", module);
            OptionRules.oneLine("modprobeOptions." + module, options);
        });
        OptionRules.timeout("deviceTimeoutSec", o.deviceTimeoutSec);
        OptionRules.timeout("startTimeoutSec", o.startTimeoutSec);
        o.units.forEach((name, text) -> {
            OptionRules.unitName("units", name);
            Objects.requireNonNull(text, "option units." + name);
        });
        o.wants.forEach((target, list) -> {
            OptionRules.unitName("wants", target);
            if (list == null) throw OptionRules.bad("wants." + target, null, "must be a list of unit names");
            for (int i = 0; i < list.size(); i++) OptionRules.unitName("wants." + target + "[" + i + "]", list.get(i));
        });
        o.dropIns.forEach((key, text) -> {
            OptionRules.dropInKey("dropIns", key);
            Objects.requireNonNull(text, "option dropIns." + key);
        });
        for (int i = 0; i < o.binaries.size(); i++) OptionRules.initrdPath("binaries[" + i + "]", o.binaries.get(i));
        o.files.forEach((path, text) -> {
            OptionRules.initrdPath("files", path);
            Objects.requireNonNull(text, "option files." + path);
        });
    }

    private static <V> Map<String, V> sorted(Map<String, V> m) {
        return Collections.unmodifiableMap(new TreeMap<>(m));
    }

    /** A copy down to the lists: a builder goes on adding to its own. */
    private static Map<String, List<String>> sortedWants(Map<String, List<String>> m) {
        Map<String, List<String>> copy = new TreeMap<>();
        m.forEach((target, list) -> copy.put(target, list == null ? null : Collections.unmodifiableList(new ArrayList<>(list))));
        return Collections.unmodifiableMap(copy);
    }

    /** cryptsetup and plymouth included; root and LUKS volumes from the kernel command line. */
    public static Stage1Options defaults() {
        return builder().build();
    }

    /** A builder holding the defaults, the same as an empty JSON object. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Options built one at a time; JSON is read through it too ({@link Stage1OptionsReader}), one
     * setter a key of the file. Every setter takes null as "the default", as JSON does for a
     * missing or null key. The adders (fileSystem, unit, want...) are not keys.
     */
    public static final class Builder {
        private boolean cryptsetup = true;
        private boolean plymouth = true;
        private boolean fsck = true;
        private boolean lvm;
        private final List<FileSystem> fileSystems = new ArrayList<>();
        private final List<LuksVolume> luks = new ArrayList<>();
        private final List<String> kernelModules = new ArrayList<>();
        private final Map<String, String> modprobeOptions = new TreeMap<>();
        private EmergencyAccess emergencyAccess = EmergencyAccess.LOCKED;
        private Integer deviceTimeoutSec;
        private Integer startTimeoutSec;
        private boolean journalToConsole;
        private Network network;
        private final Map<String, String> units = new TreeMap<>();
        private final Map<String, List<String>> wants = new TreeMap<>();
        private final Map<String, String> dropIns = new TreeMap<>();
        private final List<String> binaries = new ArrayList<>();
        private final Map<String, String> files = new TreeMap<>();
        private HookShell hookShell = HookShell.BUSYBOX;
        private String preDeviceCommands;
        private String postDeviceCommands;
        private String postMountCommands;
        private String preFailCommands;
        private boolean tpm2;
        private SshUnlock sshUnlock;
        private boolean exitrd;
        private boolean mdraid;
        private boolean btrfs;

        private Builder() {
        }

        private Builder(Stage1Options o) {
            cryptsetup(o.cryptsetup).plymouth(o.plymouth).fsck(o.fsck).lvm(o.lvm).fileSystems(o.fileSystems).luks(o.luks)
                    .kernelModules(o.kernelModules).modprobeOptions(o.modprobeOptions)
                    .emergencyAccess(o.emergencyAccess).deviceTimeoutSec(o.deviceTimeoutSec)
                    .startTimeoutSec(o.startTimeoutSec).journalToConsole(o.journalToConsole).network(o.network)
                    .units(o.units).wants(o.wants).dropIns(o.dropIns).binaries(o.binaries).files(o.files)
                    .hookShell(o.hookShell)
                    .hooks(o.preDeviceCommands, o.postDeviceCommands, o.postMountCommands, o.preFailCommands)
                    .tpm2(o.tpm2).sshUnlock(o.sshUnlock).exitrd(o.exitrd).mdraid(o.mdraid).btrfs(o.btrfs);
        }

        public Builder cryptsetup(Boolean include) {
            cryptsetup = include == null || include;
            return this;
        }

        public Builder tpm2(Boolean include) {
            tpm2 = include != null && include;
            return this;
        }

        public Builder exitrd(Boolean include) {
            exitrd = include != null && include;
            return this;
        }

        /** dropbear answering passphrase prompts over SSH; null: none. */
        public Builder sshUnlock(SshUnlock ssh) {
            sshUnlock = ssh;
            return this;
        }

        public Builder mdraid(Boolean include) {
            mdraid = include != null && include;
            return this;
        }

        public Builder btrfs(Boolean include) {
            btrfs = include != null && include;
            return this;
        }

        public Builder plymouth(Boolean include) {
            plymouth = include == null || include;
            return this;
        }

        public Builder fsck(Boolean include) {
            fsck = include == null || include;
            return this;
        }

        public Builder lvm(Boolean include) {
            lvm = include != null && include;
            return this;
        }

        public Builder fileSystems(List<FileSystem> list) {
            return replace(fileSystems, list);
        }

        /** Adds an entry to /etc/fstab. */
        public Builder fileSystem(FileSystem fs) {
            fileSystems.add(fs);
            return this;
        }

        public Builder luks(List<LuksVolume> list) {
            return replace(luks, list);
        }

        /** Adds an entry to /etc/crypttab. */
        public Builder luksVolume(LuksVolume volume) {
            luks.add(volume);
            return this;
        }

        public Builder kernelModules(List<String> list) {
            return replace(kernelModules, list);
        }

        public Builder modprobeOptions(Map<String, String> map) {
            return replace(modprobeOptions, map);
        }

        public Builder emergencyAccess(EmergencyAccess access) {
            emergencyAccess = access == null ? EmergencyAccess.LOCKED : access;
            return this;
        }

        public Builder deviceTimeoutSec(Integer seconds) {
            deviceTimeoutSec = seconds;
            return this;
        }

        public Builder startTimeoutSec(Integer seconds) {
            startTimeoutSec = seconds;
            return this;
        }

        public Builder journalToConsole(Boolean forward) {
            journalToConsole = forward != null && forward;
            return this;
        }

        /** systemd-networkd with this configuration; null: no network. */
        public Builder network(Network net) {
            network = net;
            return this;
        }

        public Builder units(Map<String, String> map) {
            return replace(units, map);
        }

        /** Adds a unit file to /etc/systemd/system. */
        public Builder unit(String name, String text) {
            units.put(name, text);
            return this;
        }

        public Builder wants(Map<String, List<String>> map) {
            wants.clear();
            if (map != null) map.forEach((target, list) -> wants.put(target, list == null ? null : new ArrayList<>(list)));
            return this;
        }

        /** Adds {@code unit} to what {@code target} wants, after those it already wants. */
        public Builder want(String target, String unit) {
            wants.computeIfAbsent(target, t -> new ArrayList<>()).add(unit);
            return this;
        }

        public Builder dropIns(Map<String, String> map) {
            return replace(dropIns, map);
        }

        public Builder binaries(List<String> list) {
            return replace(binaries, list);
        }

        public Builder files(Map<String, String> map) {
            return replace(files, map);
        }

        /** Adds a file written into the initrd as it is (mode 0644). */
        public Builder file(String path, String text) {
            files.put(path, text);
            return this;
        }

        public Builder hookShell(HookShell shell) {
            hookShell = shell == null ? HookShell.BUSYBOX : shell;
            return this;
        }

        public Builder preDeviceCommands(String commands) {
            preDeviceCommands = commands;
            return this;
        }

        public Builder postDeviceCommands(String commands) {
            postDeviceCommands = commands;
            return this;
        }

        public Builder postMountCommands(String commands) {
            postMountCommands = commands;
            return this;
        }

        public Builder preFailCommands(String commands) {
            preFailCommands = commands;
            return this;
        }

        /** All four legacy hooks at once, in boot order (null leaves a hook unset). */
        public Builder hooks(String preDevice, String postDevice, String postMount, String preFail) {
            return preDeviceCommands(preDevice).postDeviceCommands(postDevice).postMountCommands(postMount)
                    .preFailCommands(preFail);
        }

        public Stage1Options build() {
            return new Stage1Options(cryptsetup, plymouth, fsck, lvm, fileSystems, luks, kernelModules, modprobeOptions,
                    emergencyAccess, deviceTimeoutSec, startTimeoutSec, journalToConsole, network, units, wants,
                    dropIns, binaries, files, hookShell, preDeviceCommands, postDeviceCommands, postMountCommands,
                    preFailCommands, tpm2, sshUnlock, exitrd, mdraid, btrfs);
        }

        private <T> Builder replace(List<T> target, List<T> list) {
            target.clear();
            if (list != null) target.addAll(list);
            return this;
        }

        private Builder replace(Map<String, String> target, Map<String, String> map) {
            target.clear();
            if (map != null) target.putAll(map);
            return this;
        }
    }

    /** Options files larger than this are refused before they are read whole. */
    public static final int MAX_BYTES = 16 << 20;

    /**
     * Reads options from JSON text; {@code origin} names the source in errors. Strict: unknown
     * keys, a key given twice, wrong types, null in a list, text after the object and every value
     * {@link OptionRules} refuses are errors naming the file, the key's path and the value.
     */
    public static Stage1Options parse(String json, String origin) {
        return new Stage1OptionsReader(origin).read(json);
    }

    /** Reads options from a JSON file (UTF-8, at most {@link #MAX_BYTES}). */
    public static Stage1Options read(Path file) throws IOException {
        byte[] bytes = JsonValues.readLimited(file, MAX_BYTES, "options file");
        return parse(JsonValues.utf8(bytes, "options file " + file), file.toString());
    }
}
