package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.scenarios.LuksPassphraseScenario;
import org.initrdharness.scenarios.support.Stage1Initrds;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.KernelEntry;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.Nic;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Our systemd stage 1 booted under QEMU on both arches with the vm-images stage-2 disk: plain
 * root, LUKS2 by passphrase through plymouth and by key file, the legacy hooks, emergency access.
 * One guest at a time.
 */
public class Stage1BootTest {
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Pattern STAGE2 = Stage2Report.LINE;

    /** Our stage 1 for these options, built once per run and shared with the scenarios. */
    private static Path initrd(Arch arch, Stage1Options options) {
        return initrd(arch, options, Compression.parse("zstd:3"));
    }

    private static Path initrd(Arch arch, Stage1Options options, Compression compression) {
        return Stage1Initrds.get(VmImages.ensure(arch), options, compression, Path.of("target", "stage1-initrds"));
    }

    @DataProvider
    public static Object[][] arches() {
        return new Object[][] {{Arch.X86_64}, {Arch.AARCH64}};
    }

    private static MachineSpec.Builder spec(Arch arch, String name, Path initrd, Path disk, String append) {
        GuestImages g = VmImages.ensure(arch);
        return MachineSpec.builder(arch).name("stage1-" + name).memoryMiB(512).kernel(g.kernel()).initrd(initrd)
                .disk(Disk.raw(disk, "stage2")).append(append);
    }

    private static void timing(Arch arch, String what, ConsoleMatch m) {
        System.out.printf(Locale.ROOT, "%s %s: stage 2 at %.1f s after QEMU start%n", arch, what, m.seconds());
    }

    @Test(dataProvider = "arches")
    public void defaultImageBootsTheRootTheCommandLineNames(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        Path initrd = initrd(arch, Stage1Options.defaults());
        try (Machine m = Machine.start(spec(arch, "root-label", initrd, g.rootDisk(), "root=LABEL=" + g.rootLabel()).build())) {
            if (arch == Arch.X86_64) {
                // By default an x86_64 kernel with the PVH note is entered there, from its unpacked vmlinux.
                assertEquals(m.kernelBoot().entry(), KernelEntry.PVH, m.kernelBoot().describe());
                Path image = Path.of(m.command().get(m.command().indexOf("-kernel") + 1));
                assertTrue(image.getFileName().toString().endsWith(".vmlinux") && ElfFile.isElf(image), image.toString());
            }
            ConsoleMatch first = m.console().waitFor(Pattern.compile("Linux version"), BOOT);
            System.out.printf(Locale.ROOT, "%s kernel's first line at %.2f s (%s)%n", arch, first.seconds(),
                    m.kernelBoot().entry());
            m.console().expect("Reached target initrd-switch-root.target", BOOT);
            ConsoleMatch s2 = m.console().waitFor(STAGE2, BOOT);
            timing(arch, "root=LABEL=", s2);
            assertTrue(s2.group(1).contains("\"arch\":\"" + arch.id() + "\""), s2.group(1));
        }
    }

    @Test(dataProvider = "arches")
    public void luksPassphraseIsAskedThroughPlymouthOnTheSerialConsole(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        // The default image plus a unit that records which password agent answered.
        Path initrd = initrd(arch, LuksPassphraseScenario.plymouthMark().addTo(Stage1Options.builder()).build());
        String append = "rd.luks.uuid=" + g.luksUuid() + " root=LABEL=" + g.rootLabel();
        try (Machine m = Machine.start(spec(arch, "luks-passphrase", initrd, g.luksDisk(), append).build())) {
            // The console agent prints the same prompt: only the mark tells plymouth's from it.
            m.console().respondSecret(Pattern.compile("Please enter passphrase for disk luks-" + g.luksUuid()),
                    g.luksPassphrase());
            Stage2Report s2 = Stage2Report.await(m.console(), BOOT);
            System.out.printf(Locale.ROOT, "%s LUKS2 by passphrase through plymouth: stage 2 at %.1f s after QEMU start%n",
                    arch, s2.secondsSinceStart());
            LuksPassphraseScenario.assertPlymouthAnswered(s2);
        }
    }

    @Test(dataProvider = "arches")
    public void luksKeyFileFromCrypttabOpensWithoutAsking(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        Stage1Options o = Stage1Options.builder()
                .luksVolume(new Stage1Options.LuksVolume("cryptroot", "UUID=" + g.luksUuid(), null, g.luksKeyfile().toString(), null))
                .fileSystem(new Stage1Options.FileSystem("/dev/mapper/cryptroot", null, "ext4", null))
                .deviceTimeoutSec(30).build();
        Path initrd = initrd(arch, o);
        try (Machine m = Machine.start(spec(arch, "luks-keyfile", initrd, g.luksDisk(), "").build())) {
            m.console().failOn(FailurePattern.of("Please enter passphrase"));
            m.console().expect("Mounted sysroot.mount", BOOT);
            ConsoleMatch s2 = m.console().waitFor(STAGE2, BOOT);
            timing(arch, "LUKS2 by key file from crypttab", s2);
        }
    }

    @Test(dataProvider = "arches")
    public void legacyHooksRunOnceInTheScriptedStage1Order(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        Stage1Options o = Stage1Options.builder().hooks(
                "mkdir -p /run/harness; echo pre-device >> /run/harness/order",
                "test -e /dev/disk/by-label/" + g.rootLabel() + " && ! grep -q ' /sysroot ' /proc/mounts"
                        + " && echo post-device >> /run/harness/order",
                "grep -q ' /sysroot ' /proc/mounts && test -e /sysroot/etc/os-release"
                        + " && echo post-mount >> /run/harness/order",
                null).build();
        Path initrd = initrd(arch, o);
        try (Machine m = Machine.start(spec(arch, "hooks", initrd, g.rootDisk(), "root=LABEL=" + g.rootLabel()).build())) {
            ConsoleMatch s2 = m.console().waitFor(STAGE2, BOOT);
            timing(arch, "with legacy hooks", s2);
            assertTrue(s2.group(1).contains("\"order\":\"pre-device\\npost-device\\npost-mount\""), s2.group(1));
        }
    }

    @Test(dataProvider = "arches")
    public void aFailingHookDropsToEmergencyNamingItAndALockedRootSaysSo(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        Stage1Options o = Stage1Options.builder().hooks(null, "echo checking; exit 3", null,
                "echo pre-fail ran").build();
        Path initrd = initrd(arch, o);
        try (Machine m = Machine.start(spec(arch, "failing-hook", initrd, g.rootDisk(), "root=LABEL=" + g.rootLabel()).build())) {
            m.console().allow(FailurePattern.UNIT_FAILED);
            m.console().allow(FailurePattern.EMERGENCY_MODE);
            m.console().expect("stage1: hook postDeviceCommands failed with exit status 3", BOOT);
            // systemd shortens the unit name to fit 80 columns but keeps the description.
            m.console().waitFor(Pattern.compile("Failed to start .* - postDeviceCommands hook"), BOOT);
            m.console().expect("systemctl status stage1-post-device.service", BOOT);
            m.console().expect("pre-fail ran", BOOT);
            ConsoleMatch locked = m.console().expect("the root account is locked", BOOT);
            System.out.printf(Locale.ROOT, "%s failing hook: locked emergency at %.1f s%n", arch, locked.seconds());
        }
    }

    @Test(dataProvider = "arches")
    public void anOpenEmergencyShellWorksOnTheSerialConsoleWhenTheRootIsMissing(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        Stage1Options o = Stage1Options.builder().emergencyAccess(EmergencyAccess.OPEN).deviceTimeoutSec(5).build();
        Path initrd = initrd(arch, o);
        try (Machine m = Machine.start(spec(arch, "open-emergency", initrd, g.rootDisk(), "root=LABEL=no-such-root").build())) {
            m.console().allow(FailurePattern.UNIT_FAILED);
            m.console().allow(FailurePattern.EMERGENCY_MODE);
            // The status line "Timed out waiting for device" is no record: plymouth, starting just
            // then, may swallow it. Reach the shell, then ask the journal.
            ConsoleMatch prompt = m.console().expect("press Control-D to continue", BOOT);
            System.out.printf(Locale.ROOT, "%s missing root: emergency prompt at %.1f s%n", arch, prompt.seconds());
            enterUntilShell(m);
            ShellResult r = m.console().shell().run("grep -c '^ID=initrd-harness$' /etc/initrd-release");
            assertEquals(r.exitStatus(), 0);
            assertEquals(r.output().trim(), "1");
            ShellResult journal = m.console().shell().run(
                    "journalctl -b -o cat --no-pager | grep -c 'Timed out waiting for device'");
            assertEquals(journal.output().trim(), "1", "the journal records the root device's timeout: " + journal);
        }
    }

    @Test(dataProvider = "arches")
    public void networkdGetsADhcpLeaseOnTheFirstNic(Arch arch) throws IOException {
        GuestImages g = VmImages.ensure(arch);
        // Waits for the lease itself: networkd's ordering promises nothing to the hook.
        Stage1Options o = Stage1Options.builder().network(Stage1Options.Network.dhcp()).postMountCommands(
                "mkdir -p /run/harness; for i in $(seq 60); do ip -4 -o addr show scope global | grep -q inet"
                + " && break; sleep 0.5; done; ip -4 -o addr show scope global | grep -o 'inet [0-9./]*'"
                + " > /run/harness/addr").build();
        Path initrd = initrd(arch, o);
        MachineSpec spec = spec(arch, "network", initrd, g.rootDisk(), "root=LABEL=" + g.rootLabel())
                .nic(Nic.numbered(0)).build();
        try (Machine m = Machine.start(spec)) {
            ConsoleMatch s2 = m.console().waitFor(STAGE2, BOOT);
            timing(arch, "with networkd", s2);
            assertTrue(s2.group(1).contains("/run/systemd/netif"), s2.group(1));
            assertTrue(s2.group(1).contains("\"addr\":\"inet 10.0.2.15/24\""), s2.group(1));
        }
    }

    /**
     * sulogin flushes the terminal's input when it starts reading, so an Enter typed as its prompt
     * shows can be lost: type it again until the shell's banner comes.
     */
    private static void enterUntilShell(Machine m) throws IOException {
        for (int attempt = 1; ; attempt++) {
            m.console().sendLine("");
            try {
                m.console().expect("Enter 'help' for a list of built-in commands", Duration.ofSeconds(5));
                return;
            } catch (BootFailure f) {
                if (f.kind() != BootFailure.Kind.TIMEOUT || attempt == 10) throw f;
            }
        }
    }
}
