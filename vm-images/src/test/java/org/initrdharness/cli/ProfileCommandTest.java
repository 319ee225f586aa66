package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** What the profile command refuses before it boots anything. */
public class ProfileCommandTest {

    /** Exit status and standard error of one run. */
    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, err.toString());
    }

    @Test
    public void initrdWithoutANameIsRefusedNamingTheForm() {
        Run r = run("profile", "--no-ours", "--kernel", "/bin/true", "--disk", "/bin/true", "--initrd", "/bin/true");
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains("--initrd '/bin/true' is not NAME=FILE"), r.err());
    }

    @Test
    public void unknownKernelEntryIsRefusedNamingTheChoices() {
        Run r = run("profile", "--no-ours", "--kernel", "/bin/true", "--disk", "/bin/true", "--initrd", "x=/bin/true",
                "--kernel-entry", "efi");
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains("unknown kernel entry 'efi'") && r.err().contains("bzimage"), r.err());
    }

    @Test
    public void nothingToBootIsRefused() {
        Run r = run("profile", "--no-ours", "--kernel", "/bin/true", "--disk", "/bin/true");
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains("nothing to boot"), r.err());
    }
}
