package org.initrdharness.initrd.kmod;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * A cheap fingerprint of a module tree (each file's path, size and mtime), naming its cached
 * alias table. Not cryptographic: SHA-256 would cost more to load than the whole walk.
 */
final class TreeFingerprint {
    private final CRC32C crc = new CRC32C();
    private long fnv = 0xcbf29ce484222325L;
    private int count;

    void update(byte[] bytes) {
        crc.update(bytes);
        for (byte b : bytes) {
            fnv ^= b & 0xff;
            fnv *= 0x100000001b3L;
        }
        count++;
    }

    /** 32 hex digits. */
    String value() {
        return String.format("%016x%08x%08x", fnv, crc.getValue(), count);
    }

    static byte[] line(String path, long size, long mtimeMillis) {
        return (path + "\0" + size + "\0" + mtimeMillis + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
