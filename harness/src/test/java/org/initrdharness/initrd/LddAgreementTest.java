package org.initrdharness.initrd;

import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.elf.ElfFile;
import org.testng.annotations.Test;

/**
 * Every dynamically linked program on the host (its base system and what setup-host installs:
 * QEMU, gcc, cryptsetup, e2fsprogs, ...) gets exactly the libraries ldd lists. One ldd per
 * program: a few seconds for several hundred programs.
 */
public class LddAgreementTest {
    private static final Pattern LIB = Pattern.compile("=> (/\\S+) \\(0x|^\\s+(/\\S+) \\(0x", Pattern.MULTILINE);

    /** Fewer than this many programs checked means the check looked at nothing worth the name. */
    private static final int AT_LEAST = 100;

    @Test
    public void everyHostProgramMatchesLdd() throws Exception {
        List<Path> programs = new ArrayList<>();
        for (String d : List.of("/usr/bin", "/usr/sbin", "/usr/lib/systemd")) {
            if (!Files.isDirectory(Path.of(d))) continue;
            try (var s = Files.newDirectoryStream(Path.of(d))) {
                for (Path p : s) programs.add(p);
            }
        }
        Collections.sort(programs);
        Sysroot host = Sysroot.host();
        List<String> differences = new ArrayList<>();
        int checked = 0;
        for (Path program : programs) {
            if (!Files.isRegularFile(program) || !ElfFile.isElf(program)) continue;
            Path real = program.toRealPath();
            if (ElfFile.read(real).interpreter().isEmpty()) continue;
            String out = HostCommand.of(Duration.ofSeconds(60), "ldd", program.toString()).run().text();
            // ldd takes $ORIGIN from the name it was given, the kernel from the real path: skip those.
            if (out.contains("not found")) continue;
            Set<String> expected = new TreeSet<>();
            Matcher m = LIB.matcher(out);
            while (m.find()) expected.add(Path.of(m.group(1) != null ? m.group(1) : m.group(2)).toRealPath().toString());
            Set<String> got = new TreeSet<>();
            try {
                Closure c = new Closure(host, InitrdPlan.builder());
                c.add(program.toString(), "ldd agreement");
                for (PlanEntry e : c.build().entries()) {
                    if (e instanceof PlanEntry.RegularFile f && !f.source().equals(real)) got.add(f.source().toString());
                }
            } catch (InitrdBuildException e) {
                differences.add(program + ": " + e.getMessage());
                continue;
            }
            checked++;
            if (!got.equals(expected)) differences.add(program + ": ldd " + expected + ", closure " + got);
        }
        System.out.println("ldd agreement: " + checked + " programs checked, " + differences.size() + " differ");
        assertTrue(checked >= AT_LEAST, "only " + checked + " dynamically linked programs were compared with ldd"
                + " (expected at least " + AT_LEAST + "): did harness/bin/setup-host run?");
        assertTrue(differences.isEmpty(), String.join("\n", differences));
    }
}
