package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.stage1.EmergencyAccess;
import org.initrdharness.stage1.Stage1Composition;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.stage1.SystemdStage1;
import org.initrdharness.vm.Arch;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Generated bad input for build-initrd, list-initrd, diff-initrd and stage-1 options: several
 * hundred cases each, made from good inputs by {@link Mutations} with a fixed seed
 * ({@code -Dhostile.seed=N} for a fresh generation). Whatever comes in, the command either
 * accepts it, and then what it wrote keeps the rules (nothing at or above the archive's root, no
 * "..", no unit file outside its directory), or refuses it with exit status 2 and one line that
 * names the command, the file and the problem: never a stack trace, a Java type or a library's
 * words, never an exception other than the domain ones.
 */
public class HostileInputTest {
    static final long SEED = Long.getLong("hostile.seed", 17L);
    /** Words that mean an exception or a library spoke instead of the harness. */
    private static final Pattern JAVA_WORDS = Pattern.compile(
            "\\tat |Exception|java\\.|REDACTED|\\[Source|internal error|StreamReadConstraints|Cannot deserialize");

    private Path dir;
    private Path sysroot;

    @BeforeClass
    public void sysroot() throws IOException {
        dir = Files.createTempDirectory("hostile");
        sysroot = dir.resolve("sysroot");
        Files.createDirectories(sysroot.resolve("usr/bin"));
        Files.createDirectories(sysroot.resolve("usr/lib"));
        Files.writeString(sysroot.resolve("usr/bin/tool"), "#!/bin/sh\necho tool\n");
        Files.writeString(sysroot.resolve("usr/lib/data"), "data\n");
        System.out.println("HostileInputTest: seed " + SEED + " (-Dhostile.seed=N for another generation)");
    }

    static final String CONTENTS = """
            [
             {"source": "/usr/bin/tool", "target": "/bin/tool"},
             {"target": "/init", "text": "#!/bin/sh\\n", "mode": "0755"},
             {"target": "/etc/b", "base64": "aGk=", "mode": "0644"},
             {"target": "/sysroot", "directory": true, "mode": "0755"},
             {"target": "/lib", "symlink": "usr/lib"},
             {"target": "/dev/console", "device": "c", "major": 5, "minor": 1, "mode": "0600"}
            ]
            """;

    @Test(timeOut = 900_000) // a guard against a hang, not a timing: the machine may be busy
    public void contentsListsAreBuiltWithinTheRulesOrRefusedInOneLine() throws IOException {
        Mutations m = new Mutations(SEED);
        byte[] good = CONTENTS.getBytes(StandardCharsets.UTF_8);
        List<Mutations.Case> cases = new ArrayList<>();
        cases.addAll(m.truncations("contents", good, 0));
        cases.addAll(m.flips("contents", good, 150));
        cases.addAll(Mutations.typeSwaps("contents", CONTENTS));
        cases.addAll(Mutations.keySwaps("contents", CONTENTS));
        cases.addAll(Mutations.bombs("contents"));
        cases.addAll(Mutations.encodings("contents", CONTENTS));
        Tally t = new Tally("contents lists");
        Path list = dir.resolve("contents.json");
        Path out = dir.resolve("out.img");
        for (Mutations.Case c : cases) {
            Files.write(list, c.bytes());
            Files.deleteIfExists(out);
            ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run("build-initrd", "--contents",
                    list.toString(), "--sysroot", sysroot.toString(), "--compress", "none", "--output", out.toString());
            if (r.exit() == 0) {
                t.accepted++;
                checkArchiveKeepsTheRules(c, out);
            } else {
                t.refused++;
                checkRefusal(c, r, "build-initrd", 2, list.toString());
            }
        }
        t.print();
        assertTrue(t.refused > 300 && t.accepted >= 5, t.toString());
    }

    /** What an accepted list built: nothing replaces the root, no "..", names the kernel can create. */
    private static void checkArchiveKeepsTheRules(Mutations.Case c, Path image) throws IOException {
        for (InitrdEntry e : InitrdReader.read(image).entries()) {
            String where = c + ": " + e.path();
            if (e.path().equals("/")) assertTrue(e.isDirectory(), where + " is not a directory");
            assertTrue(!e.path().matches("(.*/)?\\.\\.?(/.*)?"), where + " has a . or .. component");
            for (String part : e.path().split("/")) {
                assertTrue(part.getBytes(StandardCharsets.UTF_8).length <= InitrdPath.NAME_MAX, where + ": long name");
            }
            if (e.isSymlink()) assertTrue(e.size() < InitrdPath.PATH_MAX, where + ": link target of " + e.size());
            if (e.isDevice()) assertTrue(e.rdevMajor() <= 4095 && e.rdevMinor() < 1 << 20, where + ": device numbers");
        }
    }

    static final String OPTIONS = """
            {"cryptsetup": true, "plymouth": false, "fsck": false,
             "fileSystems": [{"device": "LABEL=r", "fsType": "ext4"}, {"device": "/dev/vdb", "mountPoint": "/sysroot/d"}],
             "luks": [{"name": "c", "device": "UUID=1", "passphrase": "p"}],
             "kernelModules": ["brd"], "modprobeOptions": {"brd": "rd_nr=3"},
             "emergencyAccess": "%s", "deviceTimeoutSec": 5, "startTimeoutSec": 7, "journalToConsole": true,
             "network": {"networkFiles": {"10-a.network": "[Match]\\n"}},
             "units": {"a.service": "[Unit]\\n"},
             "wants": {"initrd.target": ["a.service"]},
             "dropIns": {"a.service/x.conf": "[Service]\\n"}, "binaries": ["/usr/bin/ip"], "files": {"/etc/x": "y"},
             "hookShell": "bash", "preDeviceCommands": "a", "postMountCommands": "c"}
            """.formatted("$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1");

    @Test(timeOut = 900_000) // a guard against a hang, not a timing: the machine may be busy
    public void optionsFilesAreReadWithinTheRulesOrRefusedNamingTheFileAndPlace() throws IOException {
        Mutations m = new Mutations(SEED + 1);
        String json = OPTIONS;
        byte[] good = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(Stage1Options.parse(json, "seed").emergencyAccess().getClass(), EmergencyAccess.Hash.class);
        List<Mutations.Case> cases = new ArrayList<>();
        cases.addAll(m.truncations("options", good, 120));
        cases.addAll(m.flips("options", good, 200));
        cases.addAll(Mutations.typeSwaps("options", json));
        cases.addAll(Mutations.keySwaps("options", json));
        cases.addAll(Mutations.bombs("options"));
        cases.addAll(Mutations.encodings("options", json));
        Tally t = new Tally("options files");
        Path file = dir.resolve("options.json");
        for (Mutations.Case c : cases) {
            Files.write(file, c.bytes());
            Stage1Options o;
            try {
                o = Stage1Options.read(file);
            } catch (InitrdBuildException e) {
                t.refused++;
                checkMessage(c, e.getMessage(), file.toString());
                continue;
            } catch (Throwable e) {
                throw new AssertionError(c + ": " + e, e);
            }
            t.accepted++;
            checkOptionsKeepTheRules(c, o);
        }
        t.print();
        assertTrue(t.refused > 300 && t.accepted >= 5, t.toString());
    }

    private static final Pattern DROP_IN = Pattern.compile("/etc/systemd/system/[^/]+\\.d/[^/.][^/]*\\.conf");
    private static final Pattern UNIT = Pattern.compile("/etc/systemd/system/[^/]+(\\.wants/[^/]+)?");
    private static final Pattern NETWORK = Pattern.compile("/etc/systemd/network/[^/.][^/]*");

    /** What accepted options write stays in its place, and the values that reach files are good ones. */
    private static void checkOptionsKeepTheRules(Mutations.Case c, Stage1Options o) {
        for (Integer s : new Integer[] {o.deviceTimeoutSec(), o.startTimeoutSec()}) {
            assertTrue(s == null || s >= 1 && s <= 86_400, c + ": timeout " + s);
        }
        if (o.emergencyAccess() instanceof EmergencyAccess.Hash h) {
            assertTrue(EmergencyAccess.CRYPT.matcher(h.crypt()).matches(), c + ": hash " + h.crypt());
        }
        for (Stage1Options.FileSystem fs : o.fileSystems()) {
            assertTrue(fs.mountPoint().matches("/sysroot(/[^/]+)*/?") && !fs.mountPoint().matches(".*/\\.\\.(/.*)?"),
                    c + ": mount point " + fs.mountPoint());
        }
        Stage1Composition comp;
        try {
            comp = SystemdStage1.compose(Arch.X86_64, o, null);
        } catch (InitrdBuildException e) {
            assertTrue(e.getMessage().startsWith("option "), c + ": " + e.getMessage());
            return;
        }
        for (Stage1Composition.Item i : comp.generated()) {
            PlanEntry e = i.entry();
            String where = c + ": " + e.path() + " (" + e.reason() + ")";
            assertTrue(!e.path().isRoot(), where);
            String reason = e.reason();
            if (reason.startsWith("option dropIns")) assertTrue(DROP_IN.matcher(e.path().value()).matches(), where);
            if (reason.startsWith("option units") || reason.startsWith("option wants")) {
                assertTrue(UNIT.matcher(e.path().value()).matches(), where);
            }
            if (reason.startsWith("option network")) assertTrue(NETWORK.matcher(e.path().value()).matches(), where);
        }
        comp.text("/etc/shadow").ifPresent(s -> assertEquals(s.lines().findFirst().orElseThrow().split(":", -1).length,
                9, c + ": shadow " + s));
        comp.text("/etc/fstab").ifPresent(s -> s.lines().filter(l -> !l.startsWith("#"))
                .forEach(l -> assertEquals(l.split(" ").length, 6, c + ": fstab line " + l)));
    }

    /** Small initrds in every format, and one with an early archive first. */
    private Map<String, byte[]> seedImages() throws IOException {
        Path file = dir.resolve("seed-file");
        Files.writeString(file, "content of a file\n".repeat(20));
        InitrdPlan plan = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/x"), file, 0755, "t"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/bin"), "usr/bin", "t"))
                .add(new PlanEntry.Generated(InitrdPath.of("/etc/y"), "y\n".getBytes(StandardCharsets.UTF_8), 0644, "t"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "t"))
                .build();
        Map<String, byte[]> images = new java.util.LinkedHashMap<>();
        for (String format : List.of("none", "gzip:1", "zstd:1", "xz:0", "lz4:1")) {
            Path out = dir.resolve("seed-" + format.replace(':', '-') + ".img");
            InitrdWriter.write(plan, Compression.parse(format).withThreads(1), List.of(), out);
            images.put(format, Files.readAllBytes(out));
        }
        Path early = dir.resolve("seed-early.img");
        Files.write(dir.resolve("early.cpio"), images.get("none"));
        InitrdWriter.write(plan, Compression.parse("zstd:1").withThreads(1), List.of(dir.resolve("early.cpio")), early);
        images.put("early+zstd", Files.readAllBytes(early));
        return images;
    }

    /**
     * newc headers whose size fields claim the impossible (a 4 GiB file, a 4 GiB name, 2 GiB),
     * compressed properly so only the header is wrong.
     */
    private static List<Mutations.Case> headerBombs(byte[] plainArchive) throws IOException {
        List<Mutations.Case> out = new ArrayList<>();
        int[] fields = {6, 11}; // filesize, namesize
        for (int field : fields) {
            for (String value : List.of("FFFFFFFF", "7FFFFFF0", "00100000")) {
                byte[] b = plainArchive.clone();
                System.arraycopy(value.getBytes(StandardCharsets.US_ASCII), 0, b, 6 + field * 8, 8);
                for (String format : List.of("none", "gzip:1", "zstd:1", "xz:0", "lz4:1")) {
                    ByteArrayOutputStream z = new ByteArrayOutputStream();
                    try (OutputStream o = Compression.parse(format).withThreads(1).compress(z)) {
                        o.write(b);
                    }
                    out.add(new Mutations.Case("archive " + format + " header field " + field + "=" + value,
                            z.toByteArray()));
                }
            }
        }
        return out;
    }

    @Test(timeOut = 900_000) // a guard against a hang, not a timing: the machine may be busy
    public void damagedArchivesAreListedOrRefusedNamingTheArchiveAndOffset() throws IOException {
        Mutations m = new Mutations(SEED + 2);
        Map<String, byte[]> seeds = seedImages();
        List<Mutations.Case> cases = new ArrayList<>();
        for (Map.Entry<String, byte[]> s : seeds.entrySet()) {
            String label = "archive " + s.getKey();
            // every offset of the first newc header (110 bytes) and the compressed formats' headers
            cases.addAll(m.truncations(label, s.getValue(), 120, 24));
            cases.addAll(m.flips(label, s.getValue(), 30));
            for (String junk : List.of("junk", "\0\0\0\0x", "070701")) {
                byte[] v = s.getValue();
                byte[] j = junk.getBytes(StandardCharsets.US_ASCII);
                byte[] b = java.util.Arrays.copyOf(v, v.length + j.length);
                System.arraycopy(j, 0, b, v.length, j.length);
                cases.add(new Mutations.Case(label + " + " + junk.replace("\0", "NUL"), b));
            }
        }
        cases.addAll(headerBombs(seeds.get("none")));
        Tally t = new Tally("archives");
        Path file = dir.resolve("archive.img");
        Path before = dir.resolve("before.img");
        Files.write(before, seeds.get("zstd:1"));
        int n = 0;
        for (Mutations.Case c : cases) {
            Files.write(file, c.bytes());
            ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run("list-initrd", file.toString());
            if (r.exit() == 0) {
                // data after the last archive is never a good initrd: it was cut or something was appended
                assertTrue(!c.name().contains(" + "), c + ": accepted with data after its end:\n" + r.out());
                t.accepted++;
            } else {
                t.refused++;
                checkRefusal(c, r, "list-initrd", 2, file.toString());
                assertTrue(r.err().contains("offset") || r.err().contains("empty"), c + ": no offset in " + r.err());
            }
            if (n++ % 8 == 0) { // diff reads the same way; a sample shows it reports the same
                ListAndDiffInitrdCommandTest.Run d = ListAndDiffInitrdCommandTest.run("diff-initrd", before.toString(),
                        file.toString());
                if (d.exit() == 2) checkRefusal(c, d, "diff-initrd", 2, file.toString());
                else assertTrue(d.exit() == 0 || d.exit() == 1, c + ": diff-initrd exit " + d.exit() + "\n" + d.err());
            }
        }
        t.print();
        assertTrue(t.refused > 300, t.toString());
    }

    /** Exit status 2, one line (hints indented below it) naming the command and the file; no Java in it. */
    private static void checkRefusal(Mutations.Case c, ListAndDiffInitrdCommandTest.Run r, String command, int exit,
            String file) {
        assertEquals(r.exit(), exit, c + ": exit status; stderr:\n" + r.err());
        String[] lines = r.err().split("\n");
        assertTrue(lines[0].startsWith(command + ": "), c + ": first line does not name the command: " + r.err());
        for (int i = 1; i < lines.length; i++) {
            assertTrue(lines[i].startsWith("  "), c + ": more than one line (a hint is indented): " + r.err());
        }
        checkMessage(c, lines[0], file);
    }

    private static void checkMessage(Mutations.Case c, String message, String file) {
        assertTrue(message.contains(file), c + ": the message does not name " + file + ": " + message);
        assertTrue(!message.contains("\n"), c + ": more than one line: " + message);
        if (JAVA_WORDS.matcher(message).find()) fail(c + ": a Java or library message reached the user: " + message);
        String problem = message.replace(file, "").replaceFirst("^[a-z-]+: (cannot build [^:]*: )?", "");
        assertTrue(problem.replaceAll("[^A-Za-z]", "").length() >= 10, c + ": says nothing but the file: " + message);
    }

    /** Counts for the build log: how many cases, how many refused. */
    private static final class Tally {
        final String what;
        int accepted;
        int refused;
        final long start = System.nanoTime();

        Tally(String what) {
            this.what = what;
        }

        void print() {
            System.out.println("HostileInputTest: " + this);
        }

        @Override
        public String toString() {
            return String.format("%s: %d cases, %d refused, %d accepted within the rules, %.1f s", what,
                    accepted + refused, refused, accepted, (System.nanoTime() - start) / 1e9);
        }
    }
}
