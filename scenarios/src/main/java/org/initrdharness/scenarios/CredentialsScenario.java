package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Release;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.scenarios.support.SecretScan;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import org.initrdharness.vm.BootFailure;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.console.FailurePattern;
import org.initrdharness.vm.console.ShellResult;
import org.testng.SkipException;
import org.testng.annotations.Test;

/**
 * System credentials reach a stage-1 unit from each place a VM host can put them: the kernel
 * command line ({@code systemd.set_credential=}), QEMU's fw_cfg (both arches; PID 1 reads
 * {@code opt/io.systemd.credentials/} once {@code qemu_fw_cfg} is loaded) and SMBIOS type 11
 * strings (x86_64, where the firmware hands QEMU's SMBIOS tables to the kernel). The unit takes
 * them as the release supports it ({@code LoadCredential=} on systemd 252,
 * {@code ImportCredential=} on 257) and what it read is seen in stage 2. Credentials systemd
 * itself consumes in stage 1: {@code cryptsetup.passphrase} opens a LUKS root with no prompt
 * (both releases), and {@code fstab.extra} / {@code fstab.extra.initrd} add mounts (257 only:
 * 252's fstab generator reads no credential).
 */
public class CredentialsScenario extends Scenario {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test(groups = "nightly")
    public void credentialsFromTheCommandLineFwCfgAndSmbiosReachAStage1Unit() throws IOException {
        // Fresh values: a stale mark or an image cannot pass for this boot's.
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("hx.cmdline", fresh("cmdline"));
        sent.put("hx.fwcfg", fresh("fwcfg"));
        if (arch == Arch.X86_64) sent.put("hx.smbios", fresh("smbios"));

        MarkingUnit reader = new MarkingUnit("credentials", List.of("systemd-modules-load.service"), script(sent.keySet()),
                importing(sent.keySet()));
        Stage1Options.Builder options = Stage1Options.builder().kernelModules(List.of("qemu_fw_cfg"));
        reader.addTo(options);
        MachineSpec.Builder spec = machine("credentials").initrd(stage1(options.build())).disk(rootDisk())
                .append(rootByLabel() + " systemd.set_credential=hx.cmdline:" + sent.get("hx.cmdline"))
                .extraQemuArgs("-fw_cfg", "name=opt/io.systemd.credentials/hx.fwcfg,string=" + sent.get("hx.fwcfg"));
        if (sent.containsKey("hx.smbios")) {
            spec.extraQemuArgs("-smbios", "type=11,value=io.systemd.credential:hx.smbios=" + sent.get("hx.smbios"));
        }
        try (Machine m = start(spec.build())) {
            Stage2Report stage2 = awaitStage2(m);
            StringBuilder expected = new StringBuilder();
            sent.forEach((name, value) -> expected.append(name).append('=').append(value).append('\n'));
            assertEquals(stage2.mark("credentials"), expected.toString().strip(), "what the stage-1 unit read from "
                    + "$CREDENTIALS_DIRECTORY (systemd " + systemdVersion() + ", " + String.join(", ", sent.keySet()) + ")");
            System.out.printf("%s: %d credentials read by a stage-1 unit (%s); stage 2 at %.1f s%n", cell(), sent.size(),
                    String.join(", ", sent.keySet()), stage2.secondsSinceStart());
        }
    }

    /**
     * A LUKS root opened by the {@code cryptsetup.passphrase} credential from fw_cfg, with nobody
     * asked. systemd-cryptsetup (252 and 257) reads it from its own {@code $CREDENTIALS_DIRECTORY}.
     * On 257 the unit systemd-cryptsetup-generator writes imports {@code cryptsetup.*} itself; on
     * 252 it imports nothing, so the initrd carries a drop-in for {@code systemd-cryptsetup@.service}
     * that loads it (as mkosi's initrd does). The passphrase is in a file only QEMU reads, outside
     * the report directory; inputs.json names its path, and no artifact holds its content.
     */
    @Test(groups = "nightly")
    public void cryptsetupPassphraseCredentialFromFwCfgOpensTheLuksRootWithoutAPrompt() throws IOException {
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase(); // registered with the run's secrets
        String volume = "luks-" + images.luksUuid();
        Stage1Options.Builder options = Stage1Options.builder().kernelModules(List.of("qemu_fw_cfg"));
        if (release == Release.BOOKWORM) {
            options.dropIns(Map.of("systemd-cryptsetup@.service/harness-credential.conf",
                    "[Service]\nLoadCredential=cryptsetup.passphrase\n"));
        }
        new MarkingUnit("cryptsetup-credential", List.of("cryptsetup.target"), """
                systemctl cat 'systemd-cryptsetup@*.service' | grep -E '^(# /|[A-Za-z]+Credential=)'
                """).addTo(options);
        LuksPassphraseScenario.mapperMark().addTo(options);
        LuksPassphraseScenario.journalMark().addTo(options);
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratchDir("cryptsetup-credential"));
        Path secretDir = Files.createTempDirectory("hx-credential-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path consoleLog;
        try {
            Path credential = secretDir.resolve("cryptsetup.passphrase");
            // No newline: systemd-cryptsetup takes the credential's bytes as the passphrase.
            AtomicFiles.write(credential, out -> out.write(passphrase.getBytes(StandardCharsets.UTF_8)));
            MachineSpec spec = machine("cryptsetup-credential").initrd(stage1(options.build())).disk(Disk.raw(root, "luks"))
                    .append("rd.luks.uuid=" + images.luksUuid() + " " + rootByLabel())
                    .extraQemuArgs("-fw_cfg", "name=opt/io.systemd.credentials/cryptsetup.passphrase,file=" + credential)
                    .build();
            try (Machine m = start(spec)) {
                consoleLog = m.artifacts().consoleLog();
                m.console().failOn(new FailurePattern("a passphrase prompt (the cryptsetup.passphrase credential should"
                        + " have answered)", LuksPassphraseScenario.ANY_PROMPT, BootFailure.Kind.PATTERN));
                Stage2Report stage2 = awaitStage2(m);
                assertEquals(stage2.mark("mapper"), volume + "\nroot=" + volume,
                        "the credential opened the root volume and the root label is on it");
                String unit = stage2.mark("cryptsetup-credential");
                assertTrue(unit.contains(passphraseImport()), "systemd-cryptsetup@" + volume + ".service takes the credential by "
                        + passphraseImport() + ": " + unit);
                String journal = stage2.mark("cryptsetup-journal");
                assertTrue(!journal.contains("Failed to activate"),
                        "systemd-cryptsetup failed nothing: " + journal);
                System.out.printf("%s: LUKS root opened by the cryptsetup.passphrase credential from fw_cfg (%s); stage 2 at %.1f s%n",
                        cell(), passphraseImport(), stage2.secondsSinceStart());
            }
        } finally {
            LuksPassphraseScenario.deleteTree(secretDir);
        }
        SecretScan.Result scan = SecretScan.scan(reportDir(), List.of(passphrase));
        assertTrue(scan.covered(consoleLog), "the secret scan of " + reportDir() + " did not read " + consoleLog);
        assertTrue(scan.leaks().isEmpty(), "the credential's passphrase leaked into: " + scan.leaks());
    }

    /**
     * Mounts carried by credentials (systemd 257's fstab generator; 252's reads none): in the
     * initrd, {@code fstab.extra.initrd} holds the initrd's own mounts, and {@code fstab.extra}
     * the booted system's, of which the generator mounts under /sysroot those marked
     * {@code x-initrd.mount}. Stage 2 (busybox, which reads no fstab) sees the latter still
     * mounted after switch-root.
     */
    @Test(groups = "nightly")
    public void fstabExtraCredentialsAddMountsInStage1() throws IOException {
        if (release == Release.BOOKWORM) {
            throw new SkipException(cell() + ": systemd 252's systemd-fstab-generator reads no fstab.extra credential");
        }
        String tag = fresh("fstab");
        Path scratch = scratchDir("fstab-credentials");
        Path initrdTab = scratch.resolve("fstab.extra.initrd");
        Path sysrootTab = scratch.resolve("fstab.extra");
        AtomicFiles.write(initrdTab, "tmpfs /run/hxextra tmpfs size=1m,mode=0755 0 0\n");
        AtomicFiles.write(sysrootTab, "tmpfs /mnt tmpfs x-initrd.mount,size=1m,mode=0755 0 0\n");
        MarkingUnit mounts = new MarkingUnit("fstab-credentials", List.of("initrd-fs.target", "local-fs.target"), """
                awk '$5 == "/run/hxextra" || $5 == "/sysroot/mnt" { print $5, $9 }' /proc/self/mountinfo | sort
                echo "%s" > /sysroot/mnt/tag
                systemctl is-active sysroot-mnt.mount run-hxextra.mount
                """.formatted(tag));
        Stage1Options.Builder options = Stage1Options.builder().kernelModules(List.of("qemu_fw_cfg"));
        mounts.addTo(options);
        MachineSpec spec = machine("fstab-credentials").initrd(stage1(options.build())).disk(rootDisk())
                .append(rootByLabel() + " " + Stage2.SHELL_SWITCH)
                .extraQemuArgs("-fw_cfg", "name=opt/io.systemd.credentials/fstab.extra.initrd,file=" + initrdTab,
                        "-fw_cfg", "name=opt/io.systemd.credentials/fstab.extra,file=" + sysrootTab)
                .build();
        try (Machine m = start(spec)) {
            Stage2Report stage2 = awaitStage2(m);
            assertEquals(stage2.mark("fstab-credentials"), "/run/hxextra tmpfs\n/sysroot/mnt tmpfs\nactive\nactive",
                    "stage 1 mounted fstab.extra.initrd's tmpfs and fstab.extra's x-initrd.mount tmpfs under /sysroot");
            m.console().expect("stage2: shell on the console", Duration.ofSeconds(30));
            m.console().waitFor(EmergencyShellScenario.SHELL_PROMPT, Duration.ofSeconds(30));
            ShellResult seen = m.console().shell().run("awk '$5 == \"/mnt\" { print $9 }' /proc/self/mountinfo; cat /mnt/tag");
            assertEquals(seen.output().strip(), "tmpfs\n" + tag,
                    "stage 2 sees fstab.extra's tmpfs at /mnt, with what stage 1 wrote into it: " + seen);
            System.out.printf("%s: fstab.extra.initrd and fstab.extra mounts made in stage 1, /mnt seen in stage 2; stage 2 at %.1f s%n",
                    cell(), stage2.secondsSinceStart());
        }
    }

    /** How systemd-cryptsetup gets the credential: the harness's drop-in on 252, the generated unit on 257. */
    private String passphraseImport() {
        return release == Release.BOOKWORM ? "LoadCredential=cryptsetup.passphrase" : "ImportCredential=cryptsetup.*";
    }

    /** systemd 252 loads a system credential by name; 257 imports them by glob (and still loads by name). */
    private List<String> importing(Iterable<String> names) {
        List<String> lines = new ArrayList<>();
        if (release == Release.BOOKWORM) {
            names.forEach(n -> lines.add("LoadCredential=" + n));
        } else {
            lines.add("ImportCredential=hx.*");
        }
        return lines;
    }

    /** One line per credential: its value, or what the unit saw instead (and where PID 1 keeps them). */
    private static String script(Iterable<String> names) {
        StringBuilder s = new StringBuilder();
        for (String n : names) {
            s.append("if [ -r \"$CREDENTIALS_DIRECTORY/").append(n).append("\" ]; then echo \"").append(n)
                    .append("=$(cat \"$CREDENTIALS_DIRECTORY/").append(n).append("\")\"; else echo \"").append(n)
                    .append(" missing; the system has: $(ls /run/credentials/@system 2>&1 | tr '\\n' ' ')\"; fi\n");
        }
        return s.toString();
    }

    private static String fresh(String where) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "hx-" + where + "-" + HexFormat.of().formatHex(b);
    }
}
