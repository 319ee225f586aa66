package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.NETWORK;

import java.util.Map;
import org.initrdharness.initrd.InitrdBuildException;

/** systemd-networkd, its units and .network files, for option network. */
final class Networkd {
    private Networkd() {}

    static void compose(Stage1Options.Network net, Stage1Composition.Collector c) {
        c.want(NETWORK, "/usr/lib/systemd/systemd-networkd", "network configuration in stage 1");
        c.units(NETWORK, "networkd", "systemd-networkd.service", "systemd-networkd.socket");
        c.wantedBy(NETWORK, "initrd.target", "systemd-networkd.service");
        c.wantedBy(NETWORK, "sockets.target", "systemd-networkd.socket");
        Map<String, String> files = net.networkFiles().isEmpty()
                ? Map.of("99-stage1-dhcp.network", "[Match]\nName=e*\n\n[Network]\nDHCP=yes\n")
                : net.networkFiles();
        files.forEach((name, text) -> {
            if (!name.endsWith(".network") && !name.endsWith(".link") && !name.endsWith(".netdev")) {
                throw new InitrdBuildException("option network.networkFiles: '" + name
                        + "' must end in .network, .link or .netdev");
            }
            c.text(NETWORK, "/etc/systemd/network/" + name, text, 0644, "option network.networkFiles");
        });
        net.kernelModules().forEach(c::module);
    }
}
