package org.initrdharness.scenarios;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.initrdharness.host.HostCommand;
import org.initrdharness.host.HostCommandException;
import org.initrdharness.images.GuestImages;
import org.initrdharness.scenarios.support.MarkingUnit;
import org.initrdharness.scenarios.support.RunSecrets;
import org.initrdharness.scenarios.support.Scenario;
import org.initrdharness.scenarios.support.ScratchLuks;
import org.initrdharness.scenarios.support.SecretScan;
import org.initrdharness.scenarios.support.SshKeys;
import org.initrdharness.scenarios.support.Stage2Report;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Disk;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.MachineSpec;
import org.initrdharness.vm.Nic;
import org.initrdharness.vm.console.ConsoleMatch;
import org.testng.annotations.Test;

/**
 * Unlocking the LUKS root over SSH in stage 1 (option sshUnlock): networkd takes QEMU's DHCP
 * lease, dropbear listens on port 22, which QEMU forwards from a free port of 127.0.0.1; the
 * host's ssh logs in with the authorized key, checked against the host key the option gave,
 * and answers systemd-cryptsetup's prompt on standard input through the forced
 * systemd-tty-ask-password-agent. A key that is not authorized is refused, nothing is typed on
 * the console, dropbear is gone before switch-root, and neither the passphrase nor a private
 * key is in the boot's artifacts. Keys are made per run in a temporary directory.
 */
public class SshUnlockScenario extends Scenario {
    private static final Duration SSH_DEADLINE = Duration.ofSeconds(90);

    /** What dropbear logged in stage 1: the refused key, the accepted one. */
    static MarkingUnit dropbearMark() {
        return new MarkingUnit("dropbear-journal", List.of("cryptsetup.target"), """
                journalctl -b -o cat -u stage1-ssh-unlock.service | tail -n 30
                """);
    }

    @Test(groups = "nightly")
    public void theRootOpensWithThePassphraseGivenOverSshAndAnUnknownKeyIsRefused() throws IOException {
        GuestImages images = images();
        String passphrase = ScratchLuks.freshPassphrase();
        Path root = ScratchLuks.rootWithPassphrase(images, passphrase, scratchDir("ssh-unlock"));
        Path keys = Files.createTempDirectory("ssh-unlock-keys-");
        try {
            SshKeys host = SshKeys.generate(keys, "host");
            SshKeys client = SshKeys.generate(keys, "client");
            SshKeys intruder = SshKeys.generate(keys, "intruder");
            Stage1Options.Builder options = Stage1Options.builder().network(Stage1Options.Network.dhcp())
                    .sshUnlock(new Stage1Options.SshUnlock(host.privateKey().toString(), List.of(client.publicLine() + " client")));
            LuksPassphraseScenario.mapperMark().addTo(options);
            dropbearMark().addTo(options);
            Path initrd = stage1(options.build());
            Nic nic = Nic.numbered(0).forwardingFreePortTo(22);
            int port = nic.forwards().get(0).hostPort();
            Path knownHosts = keys.resolve("known_hosts");
            Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + host.publicLine() + "\n");
            String volume = "luks-" + images.luksUuid();
            MachineSpec spec = machine("ssh-unlock").initrd(initrd).disk(Disk.raw(root, "luks")).nic(nic)
                    .append("rd.luks.uuid=" + images.luksUuid() + " " + rootByLabel()).build();
            try (Machine m = start(spec)) {
                ConsoleMatch prompt = m.console().waitFor(LuksPassphraseScenario.PROMPT, Duration.ofSeconds(150));
                assertEquals(prompt.group(1), volume, "stage 1 asks for the root volume's passphrase");
                long t0 = System.nanoTime();
                // Until dropbear listens, QEMU accepts and drops the connection: retry until it answers.
                HostCommand.Result refused = ssh(intruder, knownHosts, port, null);
                assertEquals(refused.exit(), 255, "a key that is not authorized gets no session: " + refused.text());
                double refusedAt = (System.nanoTime() - t0) / 1e9;
                HostCommand.Result answered = ssh(client, knownHosts, port, passphrase + "\n");
                assertEquals(answered.exit(), 0, "the client's key logged in and the agent took the answer: "
                        + answered.text().replace(passphrase, "<passphrase>"));
                Stage2Report stage2 = awaitStage2(m);
                assertEquals(stage2.mark("mapper"), volume + "\nroot=" + volume, "the passphrase sent over SSH opened the root");
                String journal = stage2.mark("dropbear-journal");
                assertTrue(journal.contains("Pubkey auth succeeded for 'root' with ssh-ed25519 key " + fingerprint(client)),
                        "dropbear let the client's key in:\n" + journal);
                assertTrue(journal.contains("Exit before auth from <10.0.2.2:"), "dropbear logged the refused key:\n" + journal);
                long prompts = m.console().lines().stream()
                        .filter(l -> LuksPassphraseScenario.PROMPT.matcher(l.text()).find()).count();
                assertEquals(prompts, 1L, "asked once, answered over SSH: nothing was typed on the console");
                HostCommand.Result after = sshOnce(client, knownHosts, port, null);
                assertFalse(after != null && (after.exit() == 0 || after.text().contains("Permission denied")),
                        "no SSH server is left in stage 2: " + (after == null ? "" : after.text()));
                System.out.printf(Locale.ROOT, "%s: prompt at %.1f s, unknown key refused %.1f s later, answered over SSH"
                                + " (port %d), stage 2 at %.1f s (guest uptime %.1f s)%n", release + "/" + arch,
                        prompt.seconds(), refusedAt, port, stage2.secondsSinceStart(), stage2.uptime());
            }
            SecretScan.Result scan = SecretScan.scanFor(spec.artifactDir(), RunSecrets.all());
            assertTrue(scan.leaks().isEmpty(), "no passphrase or private key in the boot's artifacts: " + scan.leaks());
        } finally {
            LuksPassphraseScenario.deleteTree(keys);
        }
    }

    /** The fingerprint ssh and dropbear print for a key: SHA256: and the base64 of its blob's hash, unpadded. */
    static String fingerprint(SshKeys key) {
        try {
            byte[] blob = java.util.Base64.getDecoder().decode(key.publicLine().split(" ")[1]);
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + java.util.Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the host's ssh with {@code key} against the forwarded port until the server answers
     * (a session ran or the key was refused) or the deadline passes: until dropbear listens,
     * QEMU accepts and drops the connection. The host key must be the one in {@code knownHosts}.
     */
    private static HostCommand.Result ssh(SshKeys key, Path knownHosts, int port, String input) throws IOException {
        long end = System.nanoTime() + SSH_DEADLINE.toNanos();
        String last = "";
        while (true) {
            HostCommand.Result r = sshOnce(key, knownHosts, port, input);
            if (r != null && (r.exit() != 255 || r.text().contains("Permission denied"))) return r;
            // A session that echoed its input must not carry the passphrase into a report.
            if (r != null) last = "exit " + r.exit() + ": " + (input == null ? r.text() : r.text().replace(input.strip(), "<passphrase>")).strip();
            if (System.nanoTime() > end) fail("ssh to 127.0.0.1:" + port + " got no answer in " + SSH_DEADLINE + "; last: " + last);
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /** One ssh run; null when it was killed at its deadline. */
    private static HostCommand.Result sshOnce(SshKeys key, Path knownHosts, int port, String input) throws IOException {
        try {
            return HostCommand.of(Duration.ofSeconds(45), "ssh", "-F", "/dev/null", "-T", "-p", Integer.toString(port),
                    "-i", key.privateKey().toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                    "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                    "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=30", "-o", "LogLevel=ERROR",
                    "root@127.0.0.1")
                    .input(input == null ? null : input.getBytes(StandardCharsets.UTF_8)).run();
        } catch (HostCommandException e) {
            return null;
        }
    }
}
