package org.initrdharness.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A virtio-net NIC on QEMU user networking with {@code restrict=on}: the guest gets DHCP and a
 * gateway from QEMU, and no packet leaves the host. Forwarded ports are the one way in: QEMU
 * listens on a localhost port and connects each client to a guest port (restrict=on leaves
 * explicit forwards working).
 *
 * @param mac      the guest's MAC address, e.g. 52:54:00:12:34:56
 * @param forwards TCP ports of 127.0.0.1 on the host forwarded to guest ports
 */
public record Nic(String mac, List<Forward> forwards) {
    private static final Pattern MAC = Pattern.compile("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");

    /** 127.0.0.1:{@code hostPort} on the host reaches {@code guestPort} of the guest's address. */
    public record Forward(int hostPort, int guestPort) {
        public Forward {
            if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
                throw new IllegalArgumentException("forwarded ports must be 1 to 65535: " + hostPort + " -> " + guestPort);
            }
        }

        /** QEMU's netdev user {@code hostfwd=} value. */
        public String hostfwd() {
            return "tcp:127.0.0.1:" + hostPort + "-:" + guestPort;
        }
    }

    public Nic {
        Objects.requireNonNull(mac, "mac");
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("NIC MAC '" + mac + "' is not of the form 52:54:00:12:34:56");
        }
        forwards = List.copyOf(forwards);
    }

    public Nic(String mac) {
        this(mac, List.of());
    }

    /** The n-th NIC with a MAC in QEMU's locally administered range. */
    public static Nic numbered(int n) {
        return new Nic(String.format("52:54:00:12:34:%02x", 0x56 + n));
    }

    /** This NIC with {@code guestPort} also reached from a free port of 127.0.0.1, which {@link #forwards()} names. */
    public Nic forwardingFreePortTo(int guestPort) {
        List<Forward> all = new ArrayList<>(forwards);
        all.add(new Forward(freeLocalPort(), guestPort));
        return new Nic(mac, all);
    }

    /**
     * A TCP port of 127.0.0.1 no one listens on now, as the kernel picks one. Another process
     * could take it before QEMU binds it; QEMU then fails to start, saying so.
     */
    static int freeLocalPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on 127.0.0.1", e);
        }
    }
}
