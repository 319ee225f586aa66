package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** {@code bisect} arguments refused before any boot: exit 2, one line saying what is wrong. */
public class BisectRefusalsTest {
    private String kernel;
    private String initrd;
    private String same;
    private String options;
    private String badOptions;

    @BeforeClass
    public void files() throws Exception {
        Path dir = Files.createTempDirectory("bisect-refusals");
        kernel = Files.writeString(dir.resolve("vmlinuz"), "not booted").toString();
        InitrdPlan plan = InitrdPlan.builder()
                .add(PlanEntry.Generated.text(InitrdPath.of("/init"), "#!/bin/sh\n", 0755, "test")).build();
        initrd = InitrdWriter.write(plan, Compression.parse("gzip:1"), List.of(), dir.resolve("a.img")).output().toString();
        same = InitrdWriter.write(plan, Compression.NONE, List.of(), dir.resolve("b.img")).output().toString();
        options = Files.writeString(dir.resolve("good.json"), "{\"plymouth\": false}").toString();
        badOptions = Files.writeString(dir.resolve("bad.json"), "{\"plymuth\": false}").toString();
    }

    @DataProvider
    public Object[][] refused() {
        return new Object[][] {
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", kernel},
                "bisect: give at least one --expect REGEX"},
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", kernel, "--expect", "x",
                "--max-boots", "1"}, "bisect: --max-boots 1: give 2 to 10000"},
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", kernel, "--expect", "x",
                "--compress", "rar"}, "bisect: --compress 'rar': "},
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", kernel, "--expect", "("},
                "bisect: --expect '(' is not a regular expression"},
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", "/no/vmlinuz", "--expect", "x"},
                "bisect: x86_64 machine 'bisect': missing kernel /no/vmlinuz"},
            {new String[] {"--good", "/no/good.img", "--bad", same, "--arch", "x86_64", "--kernel", kernel, "--expect", "x"},
                "bisect: cannot read --good /no/good.img: no such file"},
            {new String[] {"--good", initrd, "--bad", kernel, "--arch", "x86_64", "--kernel", kernel, "--expect", "x"},
                "bisect: " + kernel + ": unknown data at offset 0"},
            {new String[] {"--good", initrd, "--bad", same, "--arch", "x86_64", "--kernel", kernel, "--expect", "x"},
                "hold the same entries (diff-initrd finds no difference): nothing to bisect"},
            {new String[] {"--arch", "x86_64", "--kernel", kernel, "--expect", "x"},
                "bisect: give --good A.img and --bad B.img, or --good-options A.json and --bad-options B.json"},
            {new String[] {"--good", initrd, "--good-options", options, "--bad-options", options, "--arch", "x86_64",
                "--kernel", kernel, "--expect", "x"}, "bisect: give either --good/--bad or --good-options/--bad-options"},
            {new String[] {"--good-options", options, "--arch", "x86_64", "--kernel", kernel, "--expect", "x"},
                "bisect: give both --good-options A.json and --bad-options B.json"},
            {new String[] {"--good-options", options, "--bad-options", options, "--sysroot", "/", "--arch", "x86_64",
                "--kernel", kernel, "--expect", "x"}, "bisect: give --sysroot DIR and --kernel-modules DIR together"},
            {new String[] {"--good", initrd, "--bad", same, "--release", "trixie", "--arch", "x86_64",
                "--kernel", kernel, "--expect", "x"}, "they go with --good-options/--bad-options, not --good/--bad"},
            {new String[] {"--good-options", options, "--bad-options", badOptions, "--arch", "x86_64",
                "--kernel", kernel, "--expect", "x"}, "bisect: --bad-options " + badOptions + ": "},
        };
    }

    @Test(dataProvider = "refused")
    public void refusedInOneLineWithExitStatus2(String[] args, String expected) {
        String[] all = new String[args.length + 1];
        all[0] = "bisect";
        System.arraycopy(args, 0, all, 1, args.length);
        ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run(all);
        assertEquals(r.exit(), 2, r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
        String[] lines = r.err().split("\n");
        for (int i = 1; i < lines.length; i++) assertTrue(lines[i].startsWith("  "), "a second line: " + r.err());
        assertFalse(r.out().contains("bisect: step"), "booted: " + r.out());
    }
}
