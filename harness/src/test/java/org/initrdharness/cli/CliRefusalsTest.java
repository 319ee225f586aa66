package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Arguments that are refused before any work starts: exit 2, one line saying what is allowed. */
public class CliRefusalsTest {
    private Path dir;
    private String list;

    @BeforeClass
    public void files() throws Exception {
        dir = Files.createTempDirectory("refusals");
        list = Files.writeString(dir.resolve("list.json"), "[]").toString();
    }

    @DataProvider
    public Object[][] refused() {
        String kernel = "/nonexistent/vmlinuz";
        return new Object[][] {
            {new String[] {"build-initrd", "--contents", list, "--output", ""}, "build-initrd: cannot build the initrd: --output is empty"},
            {new String[] {"build-initrd", "--contents", list, "--output", "/tmp"}, "--output /tmp is a directory"},
            {new String[] {"build-initrd", "--contents", list, "--output", "/nonexistent/dir/x.img"}, "does not exist; create it first"},
            {new String[] {"build-initrd", "--contents", list, "--prepend", "/tmp", "--output", "x.img"}, "--prepend /tmp is a directory"},
            {new String[] {"build-initrd", "--contents", list, "--compress", " zstd", "--output", "x.img"}, "has white space in it"},
            {new String[] {"build-initrd", "--contents", list, "--threads", "0", "--output", "x.img"}, "threads must be at least 1"},
            {new String[] {"build-initrd", "--contents", list, "--threads", "100000", "--output", "x.img"}, "--threads 100000 is more than 256"},
            {new String[] {"build-initrd", "--contents", "/tmp", "--output", "x.img"}, "contents list /tmp is a directory"},
            {new String[] {"build-initrd", "--contents", "/dev/zero", "--output", "x.img"}, "contents list /dev/zero is larger than 256 MiB"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--respond", "foo"}, "boot: --respond 'foo' is not REGEX=TEXT"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--fail", "["}, "boot: --fail '[' is not a regular expression"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--expect", "("}, "boot: --expect '(' is not a regular expression"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--timeout", "-1"}, "boot: --timeout -1: give seconds"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--timeout", "0"}, "boot: --timeout 0: give seconds"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--timeout", "NaN"}, "boot: --timeout NaN: give seconds"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--memory", "0"}, "boot: --memory 0: give MiB"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel}, "boot: x86_64 machine 'boot': missing kernel " + kernel},
            {new String[] {"boot", "--arch", "sparc", "--kernel", kernel}, "boot: --arch: "},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--artifacts", ""}, "boot: --artifacts is empty"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--disk", ""}, "boot: --disk '' names no file"},
            {new String[] {"boot", "--arch", "x86_64", "--kernel", kernel, "--disk", "d,serial=a\nb"}, "serial 'a\\x0ab'"},
            {new String[] {"list-initrd", "/tmp"}, "list-initrd: /tmp is a directory, not an initrd file"},
            {new String[] {"list-initrd", "/nonexistent.img"}, "list-initrd: cannot read /nonexistent.img: no such file"},
            {new String[] {"diff-initrd", "/tmp", "/tmp"}, "diff-initrd: /tmp is a directory"},
            {new String[] {"repro", "/nonexistent/boot"}, "repro: /nonexistent/boot does not exist: give the artifact directory"},
            {new String[] {"repro", list}, "is not a bundle (.tar.zst)"},
            {new String[] {"repro", "--bundle", "/tmp"}, "repro: --bundle /tmp needs -o FILE"},
            {new String[] {"repro", "--bundle", "/tmp", "-o", "/nonexistent/dir/b.tar.zst"}, "must name a file in an existing directory"},
            {new String[] {"repro", "--bundle", "/tmp", "-o", "/tmp/b.tar.zst"}, "/tmp has no inputs.json"},
            {new String[] {"repro", "/tmp", "-o", "/tmp/b.tar.zst"}, "repro: -o/--output goes with --bundle DIR"},
            {new String[] {"repro", "/tmp", "--timeout", "0"}, "repro: --timeout 0 is outside"},
            {new String[] {"build-initrd", "--contents", list, "--output", "x.img", "--no-such-option"}, "build-initrd: Unknown option: '--no-such-option'"},
        };
    }

    @Test(dataProvider = "refused")
    public void refusedInOneLineWithExitStatus2(String[] args, String expected) {
        ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run(args);
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        String[] lines = r.err().split("\n");
        for (int i = 1; i < lines.length; i++) assertTrue(lines[i].startsWith("  "), "a second line: " + r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
    }
}
