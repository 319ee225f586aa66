package org.initrdharness.stage1;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.initrdharness.initrd.InitrdBuildException;

/**
 * What a systemd stage 1 should hold beyond its fixed core, read from a JSON file or made with
 * {@link #builder()}. Every key is optional; {@link #defaults()} has cryptsetup and plymouth and
 * boots whatever root the kernel command line names. Unknown keys are refused, naming the key
 * and the known ones. Over 400 lines because the builder is nested: it is the JSON reader too,
 * so the keys are declared once, here.
 *
 * @param cryptsetup       systemd-cryptsetup, its generator, dm-crypt modules and rules
 * @param plymouth         plymouthd, details and text splash, the plymouth password agent
 * @param fsck             systemd-fsck with fsck and e2fsck for the root file system
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
 */
@JsonDeserialize(builder = Stage1Options.Builder.class)
public record Stage1Options(
        boolean cryptsetup,
        boolean plymouth,
        boolean fsck,
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
        String preFailCommands) {

    /** A mount in the initrd's /etc/fstab; {@code mountPoint} is "/sysroot" or below it. */
    public record FileSystem(String device, String mountPoint, String fsType, String options) {
        @JsonCreator
        public FileSystem(@JsonProperty(value = "device", required = true) String device,
                @JsonProperty("mountPoint") String mountPoint,
                @JsonProperty("fsType") String fsType,
                @JsonProperty("options") String options) {
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
        @JsonCreator
        public LuksVolume(@JsonProperty(value = "name", required = true) String name,
                @JsonProperty(value = "device", required = true) String device,
                @JsonProperty("passphrase") String passphrase,
                @JsonProperty("keyFile") String keyFile,
                @JsonProperty("options") String options) {
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
        @JsonCreator
        public Network(@JsonProperty("networkFiles") Map<String, String> networkFiles,
                @JsonProperty("kernelModules") List<String> kernelModules) {
            this.networkFiles = networkFiles == null ? Map.of() : new TreeMap<>(networkFiles);
            this.kernelModules = kernelModules == null ? List.of("virtio_net") : List.copyOf(kernelModules);
        }

        /** DHCP on the first Ethernet interface, virtio_net: what {@code "network": {}} means. */
        public static Network dhcp() {
            return new Network(null, null);
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
        for (FileSystem fs : fileSystems) {
            if (!fs.mountPoint().equals("/sysroot") && !fs.mountPoint().startsWith("/sysroot/")) {
                throw new InitrdBuildException("option fileSystems: mount point '" + fs.mountPoint()
                        + "' of " + fs.device() + " is not /sysroot or below it");
            }
        }
        for (LuksVolume v : luks) {
            if (v.passphrase() != null && v.keyFile() != null) {
                throw new InitrdBuildException("option luks '" + v.name()
                        + "': give either passphrase or keyFile, not both");
            }
        }
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
     * Options built one at a time; JSON is read through it too, so each {@link JsonProperty}
     * setter is one key of the file. Every setter takes null as "the default", as JSON does for a
     * missing or null key. Only the annotated setters are keys: the adders stay out of the format.
     */
    @JsonPOJOBuilder(withPrefix = "")
    @JsonAutoDetect(setterVisibility = Visibility.NONE, fieldVisibility = Visibility.NONE,
            getterVisibility = Visibility.NONE, isGetterVisibility = Visibility.NONE,
            creatorVisibility = Visibility.NONE)
    public static final class Builder {
        private boolean cryptsetup = true;
        private boolean plymouth = true;
        private boolean fsck = true;
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

        private Builder() {
        }

        private Builder(Stage1Options o) {
            cryptsetup(o.cryptsetup).plymouth(o.plymouth).fsck(o.fsck).fileSystems(o.fileSystems).luks(o.luks)
                    .kernelModules(o.kernelModules).modprobeOptions(o.modprobeOptions)
                    .emergencyAccess(o.emergencyAccess).deviceTimeoutSec(o.deviceTimeoutSec)
                    .startTimeoutSec(o.startTimeoutSec).journalToConsole(o.journalToConsole).network(o.network)
                    .units(o.units).wants(o.wants).dropIns(o.dropIns).binaries(o.binaries).files(o.files)
                    .hookShell(o.hookShell)
                    .hooks(o.preDeviceCommands, o.postDeviceCommands, o.postMountCommands, o.preFailCommands);
        }

        @JsonProperty("cryptsetup")
        public Builder cryptsetup(Boolean include) {
            cryptsetup = include == null || include;
            return this;
        }

        @JsonProperty("plymouth")
        public Builder plymouth(Boolean include) {
            plymouth = include == null || include;
            return this;
        }

        @JsonProperty("fsck")
        public Builder fsck(Boolean include) {
            fsck = include == null || include;
            return this;
        }

        @JsonProperty("fileSystems")
        public Builder fileSystems(List<FileSystem> list) {
            return replace(fileSystems, list);
        }

        /** Adds an entry to /etc/fstab. */
        public Builder fileSystem(FileSystem fs) {
            fileSystems.add(fs);
            return this;
        }

        @JsonProperty("luks")
        public Builder luks(List<LuksVolume> list) {
            return replace(luks, list);
        }

        /** Adds an entry to /etc/crypttab. */
        public Builder luksVolume(LuksVolume volume) {
            luks.add(volume);
            return this;
        }

        @JsonProperty("kernelModules")
        public Builder kernelModules(List<String> list) {
            return replace(kernelModules, list);
        }

        @JsonProperty("modprobeOptions")
        public Builder modprobeOptions(Map<String, String> map) {
            return replace(modprobeOptions, map);
        }

        @JsonProperty("emergencyAccess")
        public Builder emergencyAccess(EmergencyAccess access) {
            emergencyAccess = access == null ? EmergencyAccess.LOCKED : access;
            return this;
        }

        @JsonProperty("deviceTimeoutSec")
        public Builder deviceTimeoutSec(Integer seconds) {
            deviceTimeoutSec = seconds;
            return this;
        }

        @JsonProperty("startTimeoutSec")
        public Builder startTimeoutSec(Integer seconds) {
            startTimeoutSec = seconds;
            return this;
        }

        @JsonProperty("journalToConsole")
        public Builder journalToConsole(Boolean forward) {
            journalToConsole = forward != null && forward;
            return this;
        }

        /** systemd-networkd with this configuration; null: no network. */
        @JsonProperty("network")
        public Builder network(Network net) {
            network = net;
            return this;
        }

        @JsonProperty("units")
        public Builder units(Map<String, String> map) {
            return replace(units, map);
        }

        /** Adds a unit file to /etc/systemd/system. */
        public Builder unit(String name, String text) {
            units.put(name, text);
            return this;
        }

        @JsonProperty("wants")
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

        @JsonProperty("dropIns")
        public Builder dropIns(Map<String, String> map) {
            return replace(dropIns, map);
        }

        @JsonProperty("binaries")
        public Builder binaries(List<String> list) {
            return replace(binaries, list);
        }

        @JsonProperty("files")
        public Builder files(Map<String, String> map) {
            return replace(files, map);
        }

        /** Adds a file written into the initrd as it is (mode 0644). */
        public Builder file(String path, String text) {
            files.put(path, text);
            return this;
        }

        @JsonProperty("hookShell")
        public Builder hookShell(HookShell shell) {
            hookShell = shell == null ? HookShell.BUSYBOX : shell;
            return this;
        }

        @JsonProperty("preDeviceCommands")
        public Builder preDeviceCommands(String commands) {
            preDeviceCommands = commands;
            return this;
        }

        @JsonProperty("postDeviceCommands")
        public Builder postDeviceCommands(String commands) {
            postDeviceCommands = commands;
            return this;
        }

        @JsonProperty("postMountCommands")
        public Builder postMountCommands(String commands) {
            postMountCommands = commands;
            return this;
        }

        @JsonProperty("preFailCommands")
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
            return new Stage1Options(cryptsetup, plymouth, fsck, fileSystems, luks, kernelModules, modprobeOptions,
                    emergencyAccess, deviceTimeoutSec, startTimeoutSec, journalToConsole, network, units, wants,
                    dropIns, binaries, files, hookShell, preDeviceCommands, postDeviceCommands, postMountCommands,
                    preFailCommands);
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

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** Reads options from JSON text; {@code origin} names the source in errors. */
    public static Stage1Options parse(String json, String origin) {
        try {
            Stage1Options o = JSON.readValue(json, Stage1Options.class);
            return o == null ? defaults() : o;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new InitrdBuildException(origin + ": unknown option '" + e.getPropertyName() + "' at "
                    + e.getPathReference() + "; known options there: " + known, e);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() instanceof InitrdBuildException ibe ? ibe : e;
            throw new InitrdBuildException(origin + ": " + (cause instanceof InitrdBuildException
                    ? cause.getMessage() : e.getOriginalMessage() + " at " + e.getLocation()), e);
        }
    }

    /** Reads options from a JSON file. */
    public static Stage1Options read(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }
}
