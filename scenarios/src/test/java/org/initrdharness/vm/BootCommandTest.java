package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.cli.Main;
import org.testng.annotations.Test;

/** {@code initrd-harness boot} as a user runs it, on the aarch64 test guest (the quickest to boot). */
public class BootCommandTest {

    private record Run(int status, String err) {}

    private static Run boot(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 1];
            all[0] = "boot";
            System.arraycopy(args, 0, all, 1, args.length);
            int status = Main.commandLine().execute(all);
            return new Run(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    public void expectationsInOrderWithASecretResponse() throws Exception {
        BusyboxGuest g = BusyboxGuest.of(Arch.AARCH64);
        Path dir = Path.of("target", "machines", "cli-respond").toAbsolutePath();
        Run r = boot("--arch", "arm64", "--kernel", g.kernel.toString(), "--initrd", g.initrd.toString(),
                "--append", "test=prompt", "--artifacts", dir.toString(),
                "--expect", "HARNESS-INIT mode=prompt",
                "--respond", "passphrase for disk \\S+:=open-sesame",
                "--expect", "HARNESS-ANSWER length=11");
        System.out.println(r.err);
        assertEquals(r.status, 0, r.err);
        assertTrue(r.err.contains("boot: all 2 --expect matched"), r.err);
        assertTrue(r.err.contains("replay:      sh " + dir.resolve("qemu.sh")), r.err);
        for (String f : new String[] {"console.log", "timeline.txt", "qemu.sh", "qemu.log"}) {
            assertFalse(Files.readString(dir.resolve(f)).contains("open-sesame"), f + " holds the secret");
        }
    }

    @Test
    public void expectationsOutOfOrderFail() {
        BusyboxGuest g = BusyboxGuest.of(Arch.AARCH64);
        // Both lines are printed, but the init line before the answer: waiting for it after the
        // answer must fail (the guest powers off), not find it earlier in the log.
        Run r = boot("--arch", "aarch64", "--kernel", g.kernel.toString(), "--initrd", g.initrd.toString(),
                "--append", "test=prompt", "--quiet",
                "--respond", "passphrase for disk \\S+:=open-sesame",
                "--expect", "HARNESS-ANSWER length=11",
                "--expect", "HARNESS-INIT mode=prompt");
        System.out.println(r.err);
        assertEquals(r.status, 1, r.err);
        assertTrue(r.err.contains("boot: matched /HARNESS-ANSWER length=11/"), r.err);
        assertFalse(r.err.contains("boot: matched /HARNESS-INIT"), r.err);
        assertTrue(r.err.contains("boot: FAILED: "), r.err);
    }

    @Test
    public void failurePatternEndsTheBootWithItsReason() {
        BusyboxGuest g = BusyboxGuest.of(Arch.AARCH64);
        Run r = boot("--arch", "aarch64", "--kernel", g.kernel.toString(), "--initrd", g.initrd.toString(),
                "--append", "test=marker", "--quiet",
                "--fail", "HARNESS-MARKER", "--expect", "login:");
        System.out.println(r.err);
        assertEquals(r.status, 1, r.err);
        assertTrue(r.err.contains("boot: FAILED: failure pattern /HARNESS-MARKER/"), r.err);
        assertTrue(r.err.contains("console log: "), r.err);
    }

    @Test
    public void missingInitrdIsAUsageError() {
        BusyboxGuest g = BusyboxGuest.of(Arch.AARCH64);
        Run r = boot("--arch", "aarch64", "--kernel", g.kernel.toString(), "--initrd", "/no/such/initrd");
        assertEquals(r.status, 2, r.err);
        assertTrue(r.err.contains("missing initrd /no/such/initrd"), r.err);
    }
}
