package org.initrdharness.stage1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.initrdharness.initrd.InitrdBuildException;

/**
 * What a systemd stage 1 should hold beyond its fixed core, as read from a JSON file. Every key
 * is optional; {@link #defaults()} has cryptsetup and plymouth and boots whatever root the
 * kernel command line names. Unknown keys are refused, naming the key and the known ones.
 *
 * @param cryptsetup       systemd-cryptsetup, its generator, dm-crypt modules and rules
 * @param plymouth         plymouthd, details and text splash, the plymouth password agent
 * @param fsck             systemd-fsck with fsck and e2fsck for the root file system
 * @param fileSystems      entries of the initrd's /etc/fstab (mount points under /sysroot);
 *                         empty: root= on the kernel command line decides
 * @param luks             entries of the initrd's /etc/crypttab; empty: rd.luks.* decides
 * @param kernelModules    modules loaded by systemd-modules-load, on top of the disk modules
 * @param modprobeOptions  module name to options, written to /etc/modprobe.d
 * @param emergencyAccess  "locked", "open" or a crypt(3) hash of root's password
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
 * @param hookShell        "busybox" or "bash": the shell legacy hooks run in
 * @param preDeviceCommands  shell run before udev coldplug
 * @param postDeviceCommands shell run after devices settled and LUKS opened, before /sysroot
 * @param postMountCommands  shell run after /sysroot is mounted, before switch-root
 * @param preFailCommands    shell run when the boot falls into emergency
 */
public record Stage1Options(
        boolean cryptsetup,
        boolean plymouth,
        boolean fsck,
        List<FileSystem> fileSystems,
        List<LuksVolume> luks,
        List<String> kernelModules,
        Map<String, String> modprobeOptions,
        String emergencyAccess,
        Integer deviceTimeoutSec,
        Integer startTimeoutSec,
        boolean journalToConsole,
        Network network,
        Map<String, String> units,
        Map<String, List<String>> wants,
        Map<String, String> dropIns,
        List<String> binaries,
        Map<String, String> files,
        String hookShell,
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
    }

    @JsonCreator
    public static Stage1Options of(
            @JsonProperty("cryptsetup") Boolean cryptsetup,
            @JsonProperty("plymouth") Boolean plymouth,
            @JsonProperty("fsck") Boolean fsck,
            @JsonProperty("fileSystems") List<FileSystem> fileSystems,
            @JsonProperty("luks") List<LuksVolume> luks,
            @JsonProperty("kernelModules") List<String> kernelModules,
            @JsonProperty("modprobeOptions") Map<String, String> modprobeOptions,
            @JsonProperty("emergencyAccess") String emergencyAccess,
            @JsonProperty("deviceTimeoutSec") Integer deviceTimeoutSec,
            @JsonProperty("startTimeoutSec") Integer startTimeoutSec,
            @JsonProperty("journalToConsole") Boolean journalToConsole,
            @JsonProperty("network") Network network,
            @JsonProperty("units") Map<String, String> units,
            @JsonProperty("wants") Map<String, List<String>> wants,
            @JsonProperty("dropIns") Map<String, String> dropIns,
            @JsonProperty("binaries") List<String> binaries,
            @JsonProperty("files") Map<String, String> files,
            @JsonProperty("hookShell") String hookShell,
            @JsonProperty("preDeviceCommands") String preDeviceCommands,
            @JsonProperty("postDeviceCommands") String postDeviceCommands,
            @JsonProperty("postMountCommands") String postMountCommands,
            @JsonProperty("preFailCommands") String preFailCommands) {
        return new Stage1Options(
                cryptsetup == null || cryptsetup,
                plymouth == null || plymouth,
                fsck == null || fsck,
                fileSystems == null ? List.of() : List.copyOf(fileSystems),
                luks == null ? List.of() : List.copyOf(luks),
                kernelModules == null ? List.of() : List.copyOf(kernelModules),
                modprobeOptions == null ? Map.of() : new TreeMap<>(modprobeOptions),
                emergencyAccess == null ? "locked" : emergencyAccess,
                deviceTimeoutSec, startTimeoutSec,
                journalToConsole != null && journalToConsole,
                network,
                units == null ? Map.of() : new TreeMap<>(units),
                wants == null ? Map.of() : new TreeMap<>(wants),
                dropIns == null ? Map.of() : new TreeMap<>(dropIns),
                binaries == null ? List.of() : List.copyOf(binaries),
                files == null ? Map.of() : new TreeMap<>(files),
                hookShell == null ? "busybox" : hookShell,
                preDeviceCommands, postDeviceCommands, postMountCommands, preFailCommands);
    }

    public Stage1Options {
        if (!emergencyAccess.equals("locked") && !emergencyAccess.equals("open") && !emergencyAccess.startsWith("$")) {
            throw new InitrdBuildException("option emergencyAccess: '" + emergencyAccess
                    + "' is neither \"locked\", \"open\" nor a crypt(3) hash such as the output of"
                    + " `openssl passwd -6`");
        }
        if (!hookShell.equals("busybox") && !hookShell.equals("bash")) {
            throw new InitrdBuildException("option hookShell: '" + hookShell + "' is not \"busybox\" or \"bash\"");
        }
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

    /** cryptsetup and plymouth included; root and LUKS volumes from the kernel command line. */
    public static Stage1Options defaults() {
        return of(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** The same options with these legacy hooks (null leaves a hook unset). */
    public Stage1Options withHooks(String preDevice, String postDevice, String postMount, String preFail) {
        return new Stage1Options(cryptsetup, plymouth, fsck, fileSystems, luks, kernelModules, modprobeOptions,
                emergencyAccess, deviceTimeoutSec, startTimeoutSec, journalToConsole, network, units, wants,
                dropIns, binaries, files, hookShell, preDevice, postDevice, postMount, preFail);
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
