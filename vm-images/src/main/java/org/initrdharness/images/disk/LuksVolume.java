package org.initrdharness.images.disk;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.images.ImagesException;
import org.initrdharness.images.Tools;

/**
 * A LUKS2 volume made from a filesystem image offline, in user space
 * ({@code cryptsetup reencrypt --encrypt}: no device-mapper, no loop device), with pbkdf2 at
 * 1000 iterations so that unlocking under TCG takes milliseconds, not minutes.
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
     * Writes {@code volume} (the filesystem of {@code fsImage}, encrypted) and {@code keyfile};
     * {@code scratch} holds the passphrase file while cryptsetup runs.
     */
    public static void encrypt(Path fsImage, Path volume, Path keyfile, Path scratch) throws IOException {
        Path cryptsetup = Tools.require("cryptsetup", "cryptsetup-bin");
        Files.copy(fsImage, volume, StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(volume.toFile(), "rw")) {
            f.setLength(Files.size(fsImage) + HEADER_BYTES);
        }
        Path pass = scratch.resolve("passphrase");
        Files.writeString(pass, PASSPHRASE); // no newline: the file's bytes are the passphrase
        Files.write(keyfile, keyfileBytes());
        List<String> kdf = List.of("--pbkdf", "pbkdf2", "--pbkdf-force-iterations", Integer.toString(PBKDF2_ITERATIONS));
        // No locks: the volume is a private file of this build, and cryptsetup's lock directory
        // (/run/cryptsetup) is root's. The temporary header goes to the working directory.
        List<String> encrypt = new ArrayList<>(List.of(cryptsetup.toString(), "reencrypt", "--encrypt", "--batch-mode",
                "--disable-locks",
                "--type", "luks2", "--reduce-device-size", (HEADER_BYTES >> 20) + "M", "--uuid", UUID,
                "--key-file", pass.toString()));
        encrypt.addAll(kdf);
        encrypt.add(volume.toString());
        Tools.check(Tools.command(Tools.DEFAULT_DEADLINE, encrypt).in(scratch), "encrypting " + volume.getFileName());
        List<String> add = new ArrayList<>(List.of(cryptsetup.toString(), "luksAddKey", "--batch-mode", "--disable-locks",
                "--key-file", pass.toString()));
        add.addAll(kdf);
        add.add(volume.toString());
        add.add(keyfile.toString());
        Tools.check(Tools.command(Tools.DEFAULT_DEADLINE, add).in(scratch),
                "adding the keyfile slot to " + volume.getFileName());
        Files.delete(pass);
    }
}
