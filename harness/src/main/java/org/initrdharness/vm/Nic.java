package org.initrdharness.vm;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A virtio-net NIC on QEMU user networking with {@code restrict=on}: the guest gets DHCP and a
 * gateway from QEMU, and no packet leaves the host.
 *
 * @param mac the guest's MAC address, e.g. 52:54:00:12:34:56
 */
public record Nic(String mac) {
    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    public Nic {
        Objects.requireNonNull(mac, "mac");
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("NIC MAC '" + mac + "' is not of the form 52:54:00:12:34:56");
        }
    }

    /** The n-th NIC with a MAC in QEMU's locally administered range. */
    public static Nic numbered(int n) {
        return new Nic(String.format("52:54:00:12:34:%02x", 0x56 + n));
    }
}
