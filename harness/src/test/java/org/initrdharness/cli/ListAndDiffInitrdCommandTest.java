package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;
import picocli.CommandLine;

public class ListAndDiffInitrdCommandTest {
    private Path dir;
    private Path a;
    private Path b;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeClass
    public void images() throws Exception {
        dir = Files.createTempDirectory("list-diff");
        Path sh = Files.writeString(dir.resolve("sh"), "#!/bin/sh\n");
        InitrdPlan base = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/sh"), sh, 0755, "test"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/bin"), "usr/bin", "test"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/etc/fstab"), "", 0644, "test"))
                .build();
        InitrdPlan changed = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/sh"), sh, 0755, "test"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/bin"), "usr/sbin", "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/etc/fstab"), "/dev/vda / ext4 defaults 0 1\n", 0600,
                        "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/init"), "#!/bin/sh\n", 0755, "test"))
                .build();
        a = dir.resolve("a.img");
        b = dir.resolve("b.img");
        InitrdWriter.write(base, Compression.parse("gzip"), List.of(), a);
        InitrdWriter.write(changed, Compression.parse("xz"), List.of(), b);
    }

    @Test
    public void listShowsModesSizesDevicesAndTargets() {
        Run r = run("list-initrd", a.toString());
        assertEquals(r.exit(), 0, r.err());
        assertTrue(r.out().contains("# archive 0: gzip at offset 0, 8 entries"), r.out());
        assertTrue(r.out().contains("lrwxrwxrwx   1          7 bin -> usr/bin"), r.out());
        assertTrue(r.out().contains("crw-------   1       5, 1 dev/console"), r.out());
        assertTrue(r.out().contains("-rwxr-xr-x   1         10 usr/bin/sh"), r.out());
    }

    @Test
    public void diffNamesAddedRemovedAndChangedEntries() {
        Run r = run("diff-initrd", a.toString(), b.toString());
        assertEquals(r.exit(), 1, r.err());
        assertTrue(r.out().contains("- crw-------   1       5, 1 dev/console"), r.out());
        assertTrue(r.out().contains("+ -rwxr-xr-x   1         10 init"), r.out());
        assertTrue(r.out().contains("~ /bin: target usr/bin -> usr/sbin"), r.out());
        assertTrue(r.out().matches("(?s).*~ /etc/fstab: mode -rw-r--r-- -> -rw-------, size 0 -> 29, content \\w+ -> \\w+.*"),
                r.out());
        assertTrue(r.out().contains("1 added, 2 removed, 2 changed"), r.out());
    }

    @Test
    public void sameContentDiffersInNothingWhateverTheCompression() {
        Run r = run("diff-initrd", a.toString(), a.toString());
        assertEquals(r.exit(), 0, r.out());
        assertTrue(r.out().contains("0 added, 0 removed, 0 changed, 8 unchanged"), r.out());
    }

    @Test
    public void unreadableFileIsNamed() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk"), "hello");
        Run r = run("list-initrd", junk.toString());
        assertEquals(r.exit(), 2);
        assertEquals(r.err(), "list-initrd: " + junk + ": unknown data at offset 0 (neither a newc archive nor gzip,"
                + " zstd, xz or lz4)\n");
    }
}
