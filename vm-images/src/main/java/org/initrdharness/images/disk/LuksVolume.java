package org.initrdharness.images.disk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.images.Tools;

/**
 * LUKS2 volumes made offline, in user space ({@code cryptsetup reencrypt --encrypt}: no
 * device-mapper, no loop device), with pbkdf2 at 1000 iterations so that unlocking under TCG
 * takes milliseconds, not minutes. The images' shared volume and the volumes scenarios make for
 * themselves all come from here, so they cannot drift apart.
 */
public final class LuksVolume {
    /** The LUKS header UUID: stage 1 names the mapping luks-&lt;uuid&gt;; crypttab can say UUID=. */
    public static final String UUID = "1c5a0000-0002-4a1b-8c3d-1a2b3c4d5e6f";
    /** The passphrase of key slot 0 (what a test types at the prompt). */
    public static final String PASSPHRASE = "initrd-harness";
    /** Room made for the header: the volume is this much larger than the filesystem. */
    public static final long HEADER_BYTES = 32L << 20;
    public static final int PBKDF2_ITERATIONS = 1000;

    private LuksVolume() {
    }

    /** The keyfile of key slot 1: 64 fixed bytes, so that every build makes the same keys. */
    public static byte[] keyfileBytes() {
        try {
            return MessageDigest.getInstance("SHA-512").digest("initrd-harness keyfile 1".getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code volume} (the filesystem of {@code fsImage}, encrypted with {@link #UUID} and
     * {@link #PASSPHRASE}) and {@code keyfile} (slot 1); {@code scratch} holds the passphrase
     * file while cryptsetup runs.
     */
    public static void encrypt(Path fsImage, Path volume, Path keyfile, Path scratch) throws IOException {
        Files.copy(fsImage, volume, StandardCopyOption.REPLACE_EXISTING);
        Files.write(keyfile, keyfileBytes());
        Path pass = secretFile(scratch, PASSPHRASE);
        try {
            encryptInPlace(volume, UUID, pass, scratch);
            addKey(volume, pass, keyfile, scratch);
        } finally {
            Files.deleteIfExists(pass);
        }
    }

    /**
     * Encrypts the filesystem image {@code volume} in place as LUKS2 with header {@code uuid} and
     * the key in {@code keyFile} in slot 0; the file grows by {@link #HEADER_BYTES} first.
     */
    public static void encryptInPlace(Path volume, String uuid, Path keyFile, Path scratch) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
            f.setLength(f.length() + HEADER_BYTES);
        }
        List<String> encrypt = cryptsetup("reencrypt", "--encrypt", "--type", "luks2",
                "--reduce-device-size", (HEADER_BYTES >> 20) + "M", "--uuid", uuid, "--key-file", keyFile.toString());
        encrypt.addAll(kdf());
        encrypt.add(volume.toString());
        Tools.check(Tools.command(Tools.DEFAULT_DEADLINE, encrypt).in(scratch), "encrypting " + volume.getFileName());
    }

    /** Adds {@code newKey} to a free slot of {@code volume}, unlocking it with {@code existingKey}. */
    public static void addKey(Path volume, Path existingKey, Path newKey, Path scratch) throws IOException {
        List<String> add = cryptsetup("luksAddKey", "--key-file", existingKey.toString());
        add.addAll(kdf());
        add.add(volume.toString());
        add.add(newKey.toString());
        Tools.check(Tools.command(Tools.DEFAULT_DEADLINE, add).in(scratch), "adding a key slot to " + volume.getFileName());
    }

    /**
     * A passphrase as a key file in {@code dir}: its bytes exactly, no newline, readable by the
     * owner only. The caller deletes it.
     */
    public static Path secretFile(Path dir, String passphrase) throws IOException {
        Path f = Files.createTempFile(dir, "passphrase", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, passphrase);
        return f;
    }

    /**
     * cryptsetup in batch mode without locks: every volume is a private file of its build, and
     * cryptsetup's lock directory (/run/cryptsetup) is root's. Temporary headers go to the
     * working directory.
     */
    private static List<String> cryptsetup(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.require("cryptsetup", "cryptsetup-bin").toString(),
                args[0], "--batch-mode", "--disable-locks"));
        cmd.addAll(List.of(args).subList(1, args.length));
        return cmd;
    }

    private static List<String> kdf() {
        return List.of("--pbkdf", "pbkdf2", "--pbkdf-force-iterations", Integer.toString(PBKDF2_ITERATIONS));
    }
}
