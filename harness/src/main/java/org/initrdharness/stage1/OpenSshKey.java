package org.initrdharness.stage1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.initrdharness.initrd.InitrdBuildException;

/**
 * An unencrypted Ed25519 private key in OpenSSH's format (what {@code ssh-keygen -t ed25519 -N ''}
 * writes), read so that dropbear can take it as its host key: dropbear reads only its own
 * format, and converting here spares the host a dropbear install.
 *
 * @param publicKey the 32-byte public key
 * @param secret    the 64 bytes OpenSSH keeps as the private key: the seed, then the public key
 */
public record OpenSshKey(byte[] publicKey, byte[] secret) {
    private static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String END = "-----END OPENSSH PRIVATE KEY-----";
    private static final String TYPE = "ssh-ed25519";
    /** No key file is larger; a bigger one is not what this reads. */
    private static final int MAX_BYTES = 16 << 10;

    public OpenSshKey {
        publicKey = publicKey.clone();
        secret = secret.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** Reads {@code file}; {@code option} names the option in errors. */
    public static OpenSshKey read(Path file, String option) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
                throw new InitrdBuildException("option " + option + ": " + file
                        + " is not a readable OpenSSH private key file on this host (make one with ssh-keygen -t ed25519 -N '')");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InitrdBuildException("option " + option + ": cannot read " + file + ": " + e.getMessage());
        }
        return parse(new String(bytes, StandardCharsets.US_ASCII), option + " (" + file + ")");
    }

    /** Parses the armoured key; {@code origin} names it in errors (never the key). */
    static OpenSshKey parse(String text, String origin) {
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) throw bad(origin, "is not an OpenSSH private key (no " + BEGIN + " armour)");
        ByteBuffer in;
        try {
            in = ByteBuffer.wrap(Base64.getMimeDecoder().decode(text.substring(b + BEGIN.length(), e)));
            byte[] magic = new byte[15];
            in.get(magic);
            if (!Arrays.equals(magic, "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII))) {
                throw bad(origin, "is not in OpenSSH's key format v1");
            }
            String cipher = string(in);
            string(in); // kdf name
            bytes(in); // kdf options
            if (!cipher.equals("none")) throw bad(origin, "is encrypted (cipher " + cipher + "); use a key without passphrase");
            if (in.getInt() != 1) throw bad(origin, "holds more than one key");
            bytes(in); // the public key blob
            ByteBuffer priv = ByteBuffer.wrap(bytes(in));
            if (priv.getInt() != priv.getInt()) throw bad(origin, "has a corrupt private section (check bytes differ)");
            String type = string(priv);
            if (!type.equals(TYPE)) throw bad(origin, "is a " + type + " key; dropbear here takes " + TYPE + " (ssh-keygen -t ed25519)");
            byte[] pub = bytes(priv);
            byte[] secret = bytes(priv);
            if (pub.length != 32 || secret.length != 64 || !Arrays.equals(pub, Arrays.copyOfRange(secret, 32, 64))) {
                throw bad(origin, "has an Ed25519 key of the wrong shape");
            }
            return new OpenSshKey(pub, secret);
        } catch (IllegalArgumentException | java.nio.BufferUnderflowException x) {
            throw bad(origin, "is not a whole OpenSSH private key (bad base64 or truncated)");
        }
    }

    /**
     * The key in dropbear's own format, as {@code dropbearkey -t ed25519} writes it: the key type
     * as an SSH string, then the seed and the public key as one 64-byte string.
     */
    public byte[] dropbearFormat() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        putString(out, TYPE.getBytes(StandardCharsets.US_ASCII));
        putString(out, secret);
        return out.toByteArray();
    }

    /** The public key as an authorized_keys or known_hosts line has it ("ssh-ed25519 AAAA..."). */
    public String publicLine() {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        putString(blob, TYPE.getBytes(StandardCharsets.US_ASCII));
        putString(blob, publicKey);
        return TYPE + " " + Base64.getEncoder().encodeToString(blob.toByteArray());
    }

    private static void putString(ByteArrayOutputStream out, byte[] b) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
        out.writeBytes(b);
    }

    private static byte[] bytes(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) throw new IllegalArgumentException("string length " + n);
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String string(ByteBuffer in) {
        return new String(bytes(in), StandardCharsets.US_ASCII);
    }

    private static InitrdBuildException bad(String origin, String what) {
        return new InitrdBuildException("option " + origin + " " + what);
    }

    @Override
    public String toString() {
        return "OpenSshKey[" + publicLine() + "]"; // never the secret
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenSshKey k && Arrays.equals(k.publicKey, publicKey) && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }
}
