package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.initrdharness.images.GuestImages;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.EmergencyAccess;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * A LUKS2 root sealed to a software TPM 2.0 (stage-1 option tpm2): a provisioning boot enrols
 * the volume with systemd-cryptenroll against the machine's swtpm, then stage 1 opens it with
 * {@code rd.luks.options=tpm2-device=auto} and no prompt; with a fresh TPM the unseal fails and
 * the passphrase prompt is the fallback. x86_64 only: Debian's arm64 kernels have no driver for
 * QEMU virt's TPM (CONFIG_TCG_TIS is not set; tpm_crb there is ACPI-only).
 */
public class LuksTpm2Scenario extends Scenario {

    /** The volume header and keyslot area (LUKS2's default 16 MiB) the enrolment wrote. */
    private static final int HEADER_MIB = 16;

    @Test(groups = "nightly")
    public void enrolledRootOpensWithItsTpmAndAFreshTpmFallsBackToThePassphrase() throws IOException {
        if (arch != Arch.X86_64) {
            throw new SkipException(arch + ": Debian's arm64 kernel has no TPM TIS driver (CONFIG_TCG_TIS is not set)");
        }
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase();
        // Kept when the test fails, so that its boots replay; removed when it passes.
        Path scratch = scratchDir("tpm2");
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratch);
        Path tpm = scratch.resolve("tpm");
        enrol(root, tpm, passphrase);

        Stage1Options.Builder options = Stage1Options.builder().tpm2(true);
        LuksPassphraseScenario.mapperMark().addTo(options);
        Path initrd = stage1(options.build());
        String cmdline = "rd.luks.uuid=" + images.luksUuid() + " rd.luks.options=tpm2-device=auto " + rootByLabel();
        String volume = "luks-" + images.luksUuid();
        try (Machine m = start(machine("tpm-unseals").initrd(initrd).disk(Disk.raw(root, "luks")).tpm(tpm)
                .append(cmdline).build())) {
            m.console().failOn(new FailurePattern("a passphrase prompt although the TPM holds the key",
                    LuksPassphraseScenario.PROMPT, BootFailure.Kind.PATTERN));
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("mapper"), volume + "\nroot=" + volume, "the TPM opened the root volume");
            System.out.printf(Locale.ROOT, "%s: unsealed by the TPM, stage 2 at %.1f s (guest uptime %.1f s)%n",
                    release + "/" + arch, stage2.secondsSinceStart(), stage2.uptime());
        }

        try (Machine m = start(machine("fresh-tpm").initrd(initrd).disk(Disk.raw(root, "luks"))
                .tpm(scratch.resolve("fresh-tpm")).append(cmdline).build())) {
            ConsoleMatch prompt = m.console().waitFor(LuksPassphraseScenario.PROMPT, Duration.ofSeconds(150));
            assertEquals(prompt.group(1), volume, "another TPM cannot unseal: the passphrase is asked");
            m.console().sendSecretLine(passphrase);
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("mapper"), volume + "\nroot=" + volume, "the passphrase opened the root volume");
            System.out.printf(Locale.ROOT, "%s: fresh TPM, prompt at %.1f s, stage 2 at %.1f s%n",
                    release + "/" + arch, prompt.seconds(), stage2.secondsSinceStart());
        }
    }

    /**
     * Enrols {@code root} against the TPM whose state is {@code tpm}: an emergency shell of the
     * tpm2 stage 1 (with systemd-cryptenroll) runs it, then the header it wrote is read back over
     * the console into {@code root}, as the machine's disk is an overlay.
     */
    private void enrol(Path root, Path tpm, String passphrase) throws IOException {
        Path initrd = stage1(Stage1Options.builder().tpm2(true).emergencyAccess(EmergencyAccess.OPEN)
                .binaries(List.of("/usr/bin/systemd-cryptenroll", "/usr/sbin/cryptsetup")).build());
        MachineSpec spec = machine("enrol").initrd(initrd).disk(Disk.raw(root, "luks")).tpm(tpm)
                .append(rootByLabel() + " rd.systemd.unit=emergency.target " + EmergencyShellScenario.FORCE_SHELL).build();
        try (Machine m = start(spec)) {
            ConsoleMatch shell = EmergencyShellScenario.openEmergencyShell(m);
            // emergency.target came before udev's coldplug: load the disk driver and wait for its node.
            ShellResult disk = m.console().shell().run("modprobe -a virtio_pci virtio_blk;"
                    + " for i in $(busybox seq 50); do [ -b /dev/vda ] && [ -c /dev/tpmrm0 ] && break; busybox sleep 0.2; done;"
                    + " ls -l /dev/vda /dev/tpmrm0", Duration.ofSeconds(60));
            assertEquals(disk.exitStatus(), 0, "the disk and the TPM are there: " + disk);
            m.console().sendLine("stty -echo; read -r PASSWORD; stty echo; export PASSWORD");
            m.console().sendSecretLine(passphrase);
            long t0 = System.nanoTime();
            ShellResult enrolled = m.console().shell().run("systemd-cryptenroll --tpm2-device=auto --tpm2-pcrs= /dev/vda 2>&1",
                    Duration.ofSeconds(120));
            assertEquals(enrolled.exitStatus(), 0, "systemd-cryptenroll enrolled the TPM: " + enrolled);
            double enrolSeconds = (System.nanoTime() - t0) / 1e9;
            ShellResult token = m.console().shell().run("unset PASSWORD; /usr/sbin/cryptsetup luksDump /dev/vda | busybox grep -c systemd-tpm2");
            assertTrue(token.output().strip().equals("1"), "one systemd-tpm2 token in the header: " + token);
            t0 = System.nanoTime();
            ShellResult header = m.console().shell().run("busybox dd if=/dev/vda bs=1M count=" + HEADER_MIB
                    + " 2>/dev/null | busybox gzip -1 | busybox base64", Duration.ofSeconds(300));
            assertEquals(header.exitStatus(), 0, "the header was read back");
            byte[] bytes;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(
                    Base64.getMimeDecoder().decode(header.output().replaceAll("\\s", ""))))) {
                bytes = in.readAllBytes();
            }
            assertEquals(bytes.length, HEADER_MIB << 20, "the whole header came back");
            try (RandomAccessFile f = new RandomAccessFile(root.toFile(), "rw")) {
                f.write(bytes);
            }
            System.out.printf(Locale.ROOT, "%s: enrolment shell at %.1f s, systemd-cryptenroll %.1f s, header back in %.1f s%n",
                    release + "/" + arch, shell.seconds(), enrolSeconds, (System.nanoTime() - t0) / 1e9);
        }
    }
}
