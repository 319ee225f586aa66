package org.initrdharness.scenarios;

import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.Nic;
import org.testng.annotations.Test;

/**
 * systemd-networkd in stage 1 configures the NIC by DHCP from QEMU's user network before
 * switch-root. A unit ordered after systemd-networkd-wait-online records the addresses and
 * routes it sees, in stage 1; stage 2 reports that record.
 */
public class Stage1NetworkingScenario extends Scenario {
    /**
     * What QEMU's user-network DHCP server hands the first guest. With {@code restrict=on} (see
     * {@link Nic}) its reply carries no router or DNS option, so there is no default route to check.
     */
    static final String GUEST_ADDRESS = "10.0.2.15/24";

    @Test(groups = "nightly")
    public void networkdConfiguresTheNicByDhcpBeforeSwitchRoot() throws IOException {
        MarkingUnit ip = new MarkingUnit("ip", List.of("systemd-networkd-wait-online.service", "network-online.target"), """
                ip -4 addr show
                ip -4 route show
                """);
        // wait-online is not part of the network option: the scenario brings it, unit and binary.
        Stage1Options options = ip.addTo(Stage1Options.builder().network(Stage1Options.Network.dhcp())
                .binaries(List.of("/usr/lib/systemd/systemd-networkd-wait-online"))
                .want("network-online.target", "systemd-networkd-wait-online.service")).build();
        MachineSpec spec = machine("dhcp-in-stage1").initrd(stage1(options))
                .disk(rootDisk()).nic(Nic.numbered(0)).append(rootByLabel()).build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            String seen = stage2.mark("ip");
            assertNotNull(seen, "stage 1 recorded its addresses in /run/harness/ip after network-online; marks: "
                    + stage2.marks());
            // "dynamic": the address is a lease with a lifetime, not static configuration.
            Matcher inet = Pattern.compile("inet (\\S+) .*scope global dynamic (e\\w+)\\s*$", Pattern.MULTILINE)
                    .matcher(seen);
            assertTrue(inet.find() && inet.group(1).equals(GUEST_ADDRESS),
                    "stage 1 has " + GUEST_ADDRESS + " leased from QEMU's DHCP on its NIC; it saw:\n" + seen);
            assertTrue(Pattern.compile("^10\\.0\\.2\\.0/24 dev " + inet.group(2) + " .*src 10\\.0\\.2\\.15",
                    Pattern.MULTILINE).matcher(seen).find(),
                    "stage 1 has the route of the leased subnet on " + inet.group(2) + "; it saw:\n" + seen);
            System.out.printf("%s: %s on %s in stage 1; stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch,
                    GUEST_ADDRESS, inet.group(2), stage2.secondsSinceStart(), stage2.uptime());
        }
    }
}
