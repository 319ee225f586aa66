package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class SystemdStage1Test {
    private static Stage1Composition compose(String json) {
        return SystemdStage1.compose(Arch.X86_64, Stage1Options.parse(json, "test"), null);
    }

    @Test
    public void defaultsHoldTheInitrdUnitsAndBootToInitrdTarget() {
        Stage1Composition c = compose("{}");
        Set<String> units = c.unitNames();
        for (String u : new String[] {"initrd.target", "initrd-root-device.target", "initrd-root-fs.target",
                "initrd-fs.target", "initrd-parse-etc.service", "initrd-cleanup.service", "initrd-switch-root.target",
                "initrd-switch-root.service", "initrd-udevadm-cleanup-db.service", "sysinit.target", "basic.target",
                "emergency.target", "emergency.service", "rescue.service", "systemd-journald.service",
                "systemd-udevd.service", "systemd-udev-trigger.service", "systemd-modules-load.service",
                "systemd-fsck@.service", "systemd-ask-password-console.path", "cryptsetup.target",
                "plymouth-start.service", "plymouth-switch-root.service", "systemd-ask-password-plymouth.path"}) {
            assertTrue(units.contains(u), u + " missing from " + units);
        }
        assertEquals(link(c, "/usr/lib/systemd/system/default.target"), "initrd.target");
        assertEquals(link(c, "/init"), "/usr/lib/systemd/systemd");
        assertEquals(link(c, "/lib64"), "usr/lib64");
        assertTrue(c.text("/etc/initrd-release").orElseThrow().contains("ID=initrd-harness"));
        assertTrue(c.wants("/usr/lib/systemd/system-generators/systemd-fstab-generator"));
        assertTrue(c.wants("/usr/lib/systemd/system-generators/systemd-cryptsetup-generator"));
        assertTrue(c.wants("/usr/lib/x86_64-linux-gnu/plymouth/details.so"), "dlopened plugin is listed");
        // No fstab or crypttab: root= and rd.luks.* on the command line decide.
        assertFalse(c.generatedAt("/etc/fstab").isPresent());
        assertFalse(c.generatedAt("/etc/crypttab").isPresent());
        assertEquals(c.text("/etc/systemd/system.conf").orElseThrow(), "[Manager]\n");
    }

    @Test
    public void modulesLoadListsDiskFilesystemAndCryptModulesThenTheUsers() {
        Stage1Composition c = compose("{\"kernelModules\": [\"virtio_net\"], \"modprobeOptions\": {\"loop\": \"max_loop=4\"}}");
        String load = c.text(SystemdStage1.MODULES_LOAD).orElseThrow();
        for (String m : new String[] {"virtio_pci", "virtio_blk", "ext4", "dm_crypt", "xts", "virtio_net"}) {
            assertTrue(load.lines().anyMatch(m::equals), m + " not in " + load);
        }
        assertEquals(c.text("/etc/modprobe.d/stage1.conf").orElseThrow(), "options loop max_loop=4\n");
    }

    @Test
    public void lvmAddsItsToolRulesAndDmModOnlyWhenAskedFor() {
        Stage1Composition off = compose("{}");
        assertTrue(off.wants().stream().noneMatch(w -> w.component() == Component.LVM), "no lvm files by default");
        assertFalse(off.wants("/usr/sbin/lvm"));
        assertFalse(off.wants("/usr/lib/udev/rules.d/69-lvm.rules"));

        // Without cryptsetup, lvm brings the device-mapper rules and dm_mod itself.
        Stage1Composition on = compose("{\"lvm\": true, \"cryptsetup\": false}");
        for (String p : List.of("/usr/sbin/lvm", "/usr/bin/systemd-run", "/usr/sbin/dmsetup",
                "/usr/lib/udev/rules.d/69-lvm.rules", "/usr/lib/udev/rules.d/56-lvm.rules",
                "/usr/lib/udev/rules.d/55-dm.rules", "/usr/lib/udev/rules.d/60-persistent-storage-dm.rules",
                "/usr/lib/udev/rules.d/95-dm-notify.rules")) {
            assertTrue(on.wants().stream().anyMatch(w -> w.path().value().equals(p) && w.component() == Component.LVM),
                    p + " wanted by the lvm component");
        }
        assertTrue(on.modules().contains("dm_mod"), "dm_mod loaded: " + on.modules());
        assertTrue(on.wants().stream().anyMatch(w -> w.optional()
                && w.path().value().endsWith("/lvm2-activation-generator")), "the generator only where lvm2 has it");
    }

    @Test
    public void mdraidAddsMdadmItsRulesTheLastResortTimerAndRaidModulesOnlyWhenAskedFor() {
        Stage1Composition off = compose("{}");
        assertTrue(off.wants().stream().noneMatch(w -> w.component() == Component.MDRAID), "no mdraid files by default");
        assertFalse(off.modules().contains("raid1"), off.modules().toString());

        Stage1Composition on = compose("{\"mdraid\": true}");
        for (String p : List.of("/usr/sbin/mdadm", "/usr/lib/udev/rules.d/63-md-raid-arrays.rules",
                "/usr/lib/udev/rules.d/64-md-raid-assembly.rules", "/usr/lib/systemd/system/mdadm-last-resort@.timer",
                "/usr/lib/systemd/system/mdadm-last-resort@.service")) {
            assertTrue(on.wants().stream().anyMatch(w -> w.path().value().equals(p) && w.component() == Component.MDRAID),
                    p + " wanted by the mdraid component");
        }
        assertTrue(on.modules().containsAll(List.of("md_mod", "raid1")), "md_mod and raid1 loaded: " + on.modules());
        assertTrue(on.text("/etc/modules-load.d/stage1.conf").orElseThrow().contains("raid1\n"));
    }

    @Test
    public void btrfsAddsTheReadyRuleAndTheModuleOnlyWhenAskedFor() {
        Stage1Composition off = compose("{}");
        assertFalse(off.wants("/usr/lib/udev/rules.d/64-btrfs.rules"));
        assertFalse(off.modules().contains("btrfs"), off.modules().toString());
        Stage1Composition on = compose("{\"btrfs\": true}");
        assertTrue(on.wants().stream().anyMatch(w -> w.path().value().equals("/usr/lib/udev/rules.d/64-btrfs.rules")
                && w.component() == Component.BTRFS && !w.optional()), "64-btrfs.rules wanted by the btrfs component");
        assertTrue(on.modules().contains("btrfs"), on.modules().toString());
        // btrfs ready needs the module before udev sees the disks: loaded ahead of virtio_blk, coldplug after it.
        String load = on.text("/etc/modules-load.d/stage1.conf").orElseThrow();
        assertTrue(load.indexOf("btrfs\n") < load.indexOf("virtio_blk\n"), load);
        assertEquals(on.text("/etc/systemd/system/systemd-udev-trigger.service.d/btrfs.conf").orElseThrow(),
                "[Unit]\nAfter=systemd-modules-load.service\n");
    }

    @Test
    public void withoutPlymouthAndCryptsetupTheirFilesStayOut() {
        Stage1Composition c = compose("{\"plymouth\": false, \"cryptsetup\": false, \"fsck\": false}");
        assertFalse(c.unitNames().contains("plymouth-start.service"));
        assertFalse(c.unitNames().contains("cryptsetup.target"));
        assertFalse(c.wants("/usr/sbin/plymouthd"));
        assertFalse(c.wants("/usr/lib/systemd/systemd-cryptsetup"));
        assertFalse(c.wants("/usr/sbin/e2fsck"));
        assertFalse(c.modules().contains("dm_crypt"));
        assertFalse(c.generatedAt("/usr/lib/systemd/system/sysinit.target.wants/plymouth-start.service").isPresent());
        assertFalse(c.generatedAt("/etc/systemd/system/emergency.service.d/stage1-plymouth.conf").isPresent());
    }

    @Test
    public void theEmergencyAndRescueShellsCancelASplashThatHasNotStartedYet() {
        Stage1Composition c = compose("{}");
        for (String shell : new String[] {"emergency.service", "rescue.service"}) {
            assertEquals(c.text("/etc/systemd/system/" + shell + ".d/stage1-plymouth.conf").orElseThrow(),
                    "[Unit]\nConflicts=plymouth-start.service\n", shell);
        }
    }

    @Test
    public void aarch64UsesItsTripletAndHasNoLib64() {
        Stage1Composition c = SystemdStage1.compose(Arch.AARCH64, Stage1Options.defaults(), null);
        assertTrue(c.wants("/usr/lib/aarch64-linux-gnu/plymouth/renderers/frame-buffer.so"));
        assertFalse(c.generatedAt("/lib64").isPresent());
        assertTrue(c.modules().contains("virtio_mmio"));
    }

    @Test
    public void lockedRootHasNoSuloginForce() {
        Stage1Composition c = compose("{}");
        assertTrue(c.text("/etc/shadow").orElseThrow().startsWith("root:!:"));
        assertFalse(c.generatedAt("/etc/systemd/system/emergency.service.d/stage1-open.conf").isPresent());
    }

    @Test
    public void openRootForcesSuloginInEmergencyAndRescue() {
        Stage1Composition c = compose("{\"emergencyAccess\": \"open\"}");
        for (String unit : new String[] {"emergency", "rescue"}) {
            assertEquals(c.text("/etc/systemd/system/" + unit + ".service.d/stage1-open.conf").orElseThrow(),
                    "[Service]\nEnvironment=SYSTEMD_SULOGIN_FORCE=1\n");
        }
    }

    @Test
    public void hashedPasswordGoesIntoShadow() {
        String hash = "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1";
        Stage1Composition c = compose("{\"emergencyAccess\": \"" + hash + "\"}");
        assertTrue(c.text("/etc/shadow").orElseThrow().startsWith("root:" + hash + ":"));
        assertEquals(c.generatedAt("/etc/shadow").map(e -> ((PlanEntry.Generated) e).mode()).orElseThrow(), 0600);
    }

    @DataProvider
    public Object[][] emergencyAccess() {
        String hash = "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1";
        return new Object[][] {
            {"locked", EmergencyAccess.LOCKED, "root:!:", "option emergencyAccess=locked", false},
            {"open", EmergencyAccess.OPEN, "root:!:", "option emergencyAccess=open", true},
            {hash, EmergencyAccess.hash(hash), "root:" + hash + ":", "option emergencyAccess=hashed password", false},
        };
    }

    /** Read from JSON or set through the builder, each variant writes the same shadow and drop-ins. */
    @Test(dataProvider = "emergencyAccess")
    public void eachEmergencyAccessIsWrittenAsBefore(String json, EmergencyAccess typed, String shadowStart,
            String reason, boolean forced) {
        Stage1Composition parsed = compose("{\"emergencyAccess\": \"" + json + "\"}");
        Stage1Composition built = SystemdStage1.compose(Arch.X86_64,
                Stage1Options.builder().emergencyAccess(typed).build(), null);
        for (Stage1Composition c : List.of(parsed, built)) {
            PlanEntry.Generated shadow = (PlanEntry.Generated) c.generatedAt("/etc/shadow").orElseThrow();
            assertEquals(new String(shadow.content(), StandardCharsets.UTF_8),
                    shadowStart + "19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n");
            assertEquals(shadow.mode(), 0600);
            assertEquals(shadow.reason(), reason);
            for (String unit : new String[] {"emergency", "rescue"}) {
                assertEquals(c.text("/etc/systemd/system/" + unit + ".service.d/stage1-open.conf").isPresent(), forced,
                        json + ": " + unit);
            }
        }
        assertEquals(built.generated(), parsed.generated());
    }

    @Test
    public void aHashThatWouldBreakShadowIsRefused() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> compose("{\"emergencyAccess\": \"$6$a:b\"}"));
        assertTrue(e.getMessage().contains("nor a whole crypt(3) hash"), e.getMessage());
    }

    @Test
    public void timeoutsGoToTheManagerConfiguration() {
        Stage1Composition c = compose("{\"deviceTimeoutSec\": 5, \"startTimeoutSec\": 30}");
        assertEquals(c.text("/etc/systemd/system.conf").orElseThrow(),
                "[Manager]\nDefaultTimeoutStartSec=30s\nDefaultDeviceTimeoutSec=5s\n");
    }

    @Test
    public void networkdGetsADhcpNetworkAndItsUser() {
        Stage1Composition c = compose("{\"network\": {}}");
        assertTrue(c.wants("/usr/lib/systemd/systemd-networkd"));
        assertEquals(c.text("/etc/systemd/network/99-stage1-dhcp.network").orElseThrow(),
                "[Match]\nName=e*\n\n[Network]\nDHCP=yes\n");
        assertTrue(c.text("/etc/passwd").orElseThrow().contains("systemd-network:"));
        assertTrue(c.modules().contains("virtio_net"));
    }

    @Test
    public void userUnitsDropInsWantsAndBinaries() {
        Stage1Composition c = compose("{\"units\": {\"hello.service\": \"[Service]\\nExecStart=/bin/true\\n\"},"
                + " \"wants\": {\"initrd.target\": [\"hello.service\"]},"
                + " \"dropIns\": {\"systemd-udevd.service/debug.conf\": \"[Service]\\nEnvironment=X=1\\n\"},"
                + " \"binaries\": [\"/usr/bin/strace\"], \"files\": {\"/etc/hello\": \"hi\\n\"}}");
        assertTrue(c.text("/etc/systemd/system/hello.service").isPresent());
        assertEquals(link(c, "/etc/systemd/system/initrd.target.wants/hello.service"),
                "/usr/lib/systemd/system/hello.service");
        assertTrue(c.text("/etc/systemd/system/systemd-udevd.service.d/debug.conf").isPresent());
        assertTrue(c.wants("/usr/bin/strace"));
        assertEquals(c.text("/etc/hello").orElseThrow(), "hi\n");
    }

    private static String link(Stage1Composition c, String path) {
        return ((PlanEntry.Symlink) c.generatedAt(path).orElseThrow(() -> new AssertionError("no " + path))).target();
    }

    @Test
    public void tpm2AddsTheTokenPluginAndTss2OnlyWhenAsked() {
        Stage1Composition without = compose("{}");
        assertFalse(without.wants("/usr/lib/x86_64-linux-gnu/cryptsetup/libcryptsetup-token-systemd-tpm2.so"));
        Stage1Composition with = compose("{\"tpm2\": true}");
        assertTrue(with.wants("/usr/lib/x86_64-linux-gnu/cryptsetup/libcryptsetup-token-systemd-tpm2.so"));
        for (String so : new String[] {"libtss2-esys.so.0", "libtss2-rc.so.0", "libtss2-mu.so.0", "libtss2-tcti-device.so.0"}) {
            assertTrue(with.wants("/usr/lib/x86_64-linux-gnu/" + so), so);
        }
        assertTrue(with.dlopen().stream().anyMatch(d -> d.feature().equals("tpm") && d.component() == Component.TPM2));
        expectThrows(InitrdBuildException.class, () -> compose("{\"tpm2\": true, \"cryptsetup\": false}"));
    }

    @Test
    public void sshUnlockAddsDropbearItsKeysAndAUnitOnlyWhenAskedAndForcesTheAgent() throws Exception {
        Path dir = Files.createTempDirectory("ssh-unlock-test");
        try {
            Path key = dir.resolve("host");
            HostCommand.of(Duration.ofSeconds(60), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).check();
            String option = "\"sshUnlock\": {\"hostKey\": \"" + key + "\", \"authorizedKeys\": [\"ssh-ed25519 AAAAC3Nz me@host\"]}";
            assertFalse(compose("{\"network\": {}}").wants("/usr/sbin/dropbear"));
            Stage1Composition c = compose("{\"network\": {}, " + option + "}");
            assertTrue(c.wants("/usr/sbin/dropbear"));
            PlanEntry.Generated hostKey = (PlanEntry.Generated) c.generatedAt(DropbearUnlock.HOST_KEY).orElseThrow();
            assertEquals(hostKey.mode(), 0600);
            assertEquals(hostKey.content(), OpenSshKey.read(key, "k").dropbearFormat());
            assertEquals(c.text("/root/.ssh/authorized_keys").orElseThrow(), "no-port-forwarding,no-agent-forwarding,"
                    + "no-X11-forwarding,no-pty,command=\"/usr/bin/systemd-tty-ask-password-agent --query\" ssh-ed25519 AAAAC3Nz me@host\n");
            assertTrue(c.text("/etc/systemd/system/" + DropbearUnlock.UNIT).orElseThrow().contains("-r " + DropbearUnlock.HOST_KEY));
            assertEquals(link(c, "/etc/systemd/system/initrd.target.wants/" + DropbearUnlock.UNIT), "../" + DropbearUnlock.UNIT);
            InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> compose("{" + option + "}"));
            assertTrue(e.getMessage().startsWith("option sshUnlock needs option network"), e.getMessage());
            e = expectThrows(InitrdBuildException.class, () -> compose("{\"network\": {}, \"sshUnlock\": {\"hostKey\": \"/h\","
                    + " \"authorizedKeys\": [\"command=\\\"sh\\\" ssh-ed25519 AAAA\"]}}"));
            assertTrue(e.getMessage().contains("option sshUnlock.authorizedKeys[0]"), e.getMessage());
        } finally {
            try (var s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    @Test
    public void exitrdAddsTheUnitThatCopiesStage1IntoRunInitramfsOnlyWhenAsked() {
        assertFalse(compose("{}").unitNames().contains(ShutdownInitrd.UNIT));
        Stage1Composition c = compose("{\"exitrd\": true}");
        assertEquals(link(c, "/etc/systemd/system/initrd.target.wants/" + ShutdownInitrd.UNIT), "../" + ShutdownInitrd.UNIT);
        String script = c.text(ShutdownInitrd.SCRIPT).orElseThrow();
        assertTrue(script.contains("busybox ln -sf /usr/lib/systemd/systemd-shutdown $x/shutdown"), script);
        assertEquals(((PlanEntry.Generated) c.generatedAt(ShutdownInitrd.SCRIPT).orElseThrow()).mode(), 0755);
        assertTrue(c.wants("/usr/lib/systemd/systemd-shutdown"), "systemd-shutdown is in every stage 1");
    }
}
