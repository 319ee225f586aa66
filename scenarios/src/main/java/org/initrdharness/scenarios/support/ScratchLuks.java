package org.initrdharness.scenarios.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Tools;
import org.initrdharness.images.disk.LuksVolume;

/**
 * LUKS volumes a scenario makes for itself, offline and without privileges (as
 * {@link LuksVolume} does): the shared LUKS root with a passphrase of the test's own, and small
 * extra volumes with their own UUIDs. The passphrase a test types is fresh for every run, so a
 * scan of logs and reports for it cannot hit anything by accident.
 */
public final class ScratchLuks {
    /** What every fresh passphrase starts with: grep a report directory for it to find leaks. */
    public static final String PASSPHRASE_PREFIX = "hx-luks-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.Set<String> ISSUED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ScratchLuks() {
    }

    /** A passphrase no log of an earlier run can hold: the prefix and 16 random hex digits. */
    public static String freshPassphrase() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        String p = PASSPHRASE_PREFIX + HexFormat.of().formatHex(b);
        ISSUED.add(p);
        return p;
    }

    /** Every passphrase {@link #freshPassphrase} gave out in this JVM: what a last scan of the reports looks for. */
    public static List<String> issued() {
        return List.copyOf(new java.util.TreeSet<>(ISSUED));
    }

    /**
     * A copy of the images' LUKS root, in {@code dir}, that also opens with {@code passphrase}
     * (a key slot added with the images' keyfile; the header UUID stays {@code images.luksUuid()}).
     */
    public static Path rootWithPassphrase(GuestImages images, String passphrase, Path dir) throws IOException {
        Path copy = dir.resolve("root-luks.img");
        Files.copy(images.luksDisk(), copy, StandardCopyOption.REPLACE_EXISTING);
        Path keyDir = keyDir();
        try {
            LuksVolume.addKey(copy, images.luksKeyfile(), LuksVolume.secretFile(keyDir, passphrase), keyDir);
        } finally {
            deleteKeyDir(keyDir);
        }
        return copy;
    }

    /**
     * A new LUKS2 volume in {@code dir} holding an empty ext4 file system labelled {@code label},
     * with header UUID {@code uuid}, {@code passphrase} in key slot 0 and the images' in slot 1.
     */
    public static Path newVolume(String label, UUID uuid, String passphrase, Path dir) throws IOException {
        return encryptedExt4(label, "8192k", null, uuid, passphrase, dir);
    }

    /**
     * A new LUKS2 volume in {@code dir} holding an ext4 file system of {@code mib} MiB labelled
     * {@code label} with the tree {@code content} (mkfs.ext4 -d), header UUID {@code uuid} and
     * {@code passphrase} in key slot 0 and the images' in slot 1.
     */
    public static Path volumeOf(Path content, String label, int mib, UUID uuid, String passphrase, Path dir) throws IOException {
        return encryptedExt4(label, mib + "M", content, uuid, passphrase, dir);
    }

    /** mkfs.ext4 of {@code size} (with the tree {@code content}, or empty when null), then LUKS2 in place. */
    private static Path encryptedExt4(String label, String size, Path content, UUID uuid, String passphrase, Path dir)
            throws IOException {
        Path mkfs = Tools.require("mkfs.ext4", "e2fsprogs");
        Path volume = dir.resolve(label + "-luks.img");
        List<String> cmd = new java.util.ArrayList<>(List.of(mkfs.toString(), "-q", "-F", "-t", "ext4", "-L", label));
        if (content != null) cmd.addAll(List.of("-d", content.toString()));
        cmd.addAll(List.of(volume.toString(), size));
        Tools.check(cmd, "making the ext4 file system " + label + (content == null ? "" : " from " + content));
        Path keyDir = keyDir();
        try {
            Path key = LuksVolume.secretFile(keyDir, passphrase);
            LuksVolume.encryptInPlace(volume, uuid.toString(), key, keyDir);
            // The images' documented test passphrase in slot 1, as the copies of the images' root
            // keep it: whoever replays a failed boot's bundle can type it (the test's own is
            // random, and never recorded).
            LuksVolume.addKey(volume, key, LuksVolume.secretFile(keyDir, LuksVolume.PASSPHRASE), keyDir);
        } finally {
            deleteKeyDir(keyDir);
        }
        return volume;
    }

    /**
     * The passphrase's key file and cryptsetup's temporary files live outside the report
     * directory (where the disks themselves may stay, for a replay): a scan of the reports by a
     * test running at the same time must never meet them.
     */
    private static Path keyDir() throws IOException {
        return Files.createTempDirectory("luks-key-",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    private static void deleteKeyDir(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
