package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SSH;
import static org.initrdharness.stage1.SystemdStage1.ETC_UNITS;

import java.nio.file.Path;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.PlanEntry;

/**
 * dropbear in stage 1 for option sshUnlock: root logs in with an authorized key and may only
 * run the password agent, which reads the answer to the pending passphrase prompts from the
 * session's standard input. The server starts once networkd runs and is stopped before
 * switch-root, so stage 2 never inherits it.
 */
final class DropbearUnlock {
    static final String UNIT = "stage1-ssh-unlock.service";
    static final String HOST_KEY = "/etc/dropbear/dropbear_ed25519_host_key";
    /** What a login runs, whatever the client asks: answer the queued prompts, then end. */
    static final String FORCED = "no-port-forwarding,no-agent-forwarding,no-X11-forwarding,no-pty,"
            + "command=\"/usr/bin/systemd-tty-ask-password-agent --query\" ";

    private DropbearUnlock() {}

    static void compose(Stage1Options options, Stage1Composition.Collector c) {
        Stage1Options.SshUnlock ssh = options.sshUnlock();
        if (options.network() == null) {
            throw new InitrdBuildException("option sshUnlock needs option network (an address to listen on):"
                    + " add \"network\": {} or remove sshUnlock");
        }
        if (!options.cryptsetup()) {
            throw new InitrdBuildException("option sshUnlock answers cryptsetup's prompts but option cryptsetup is false:"
                    + " set cryptsetup to true or remove sshUnlock");
        }
        c.want(SSH, "/usr/sbin/dropbear", "SSH server answering passphrase prompts (option sshUnlock)");
        OpenSshKey key = OpenSshKey.read(Path.of(ssh.hostKey()), "sshUnlock.hostKey");
        c.dir(SSH, "/etc/dropbear", 0700, "dropbear's host keys");
        c.put(SSH, new PlanEntry.Generated(InitrdPath.of(HOST_KEY), key.dropbearFormat(), 0600,
                "option sshUnlock.hostKey in dropbear's format"));
        // dropbear refuses authorized_keys when the home (0700 from RootLayout) or .ssh is writable by others.
        c.dir(SSH, "/root/.ssh", 0700, "root's authorized_keys");
        StringBuilder keys = new StringBuilder();
        for (String line : ssh.authorizedKeys()) keys.append(FORCED).append(line).append('\n');
        c.text(SSH, "/root/.ssh/authorized_keys", keys.toString(), 0600,
                "option sshUnlock.authorizedKeys, each forced to the password agent");
        c.text(SSH, ETC_UNITS + UNIT, unit(), 0644, "option sshUnlock: dropbear on port 22");
        c.link(SSH, ETC_UNITS + "initrd.target.wants/" + UNIT, "../" + UNIT, UNIT + " wanted by initrd.target");
    }

    /**
     * No default dependencies: it has to run while cryptsetup waits, before sysinit is reached.
     * Conflicting with initrd-switch-root.target stops it when the initrd is left.
     */
    static String unit() {
        return """
                [Unit]
                Description=SSH server for answering passphrase prompts (dropbear)
                DefaultDependencies=no
                Wants=systemd-networkd.service
                After=systemd-networkd.service
                Conflicts=initrd-switch-root.target shutdown.target
                Before=initrd-switch-root.target shutdown.target

                [Service]
                # -F foreground, -E log to stderr (the journal), -s no passwords, -j -k no forwarding
                ExecStart=/usr/sbin/dropbear -F -E -s -j -k -p 22 -r %s -P /run/dropbear.pid
                """.formatted(HOST_KEY);
    }
}
