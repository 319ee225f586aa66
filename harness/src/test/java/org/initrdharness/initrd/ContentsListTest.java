package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.initrdharness.host.HostCommand;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class ContentsListTest {

    @Test
    public void makeInitrdNgListsAndTheExtensionsAreRead() throws Exception {
        Path f = Files.createTempDirectory("contents").resolve("initrd.json");
        Files.writeString(f, "[\n"
                + " {\"source\": \"/usr/bin/sh\"},\n"
                + " {\"source\": \"/usr/lib/systemd/systemd\", \"target\": \"/init\"},\n"
                + " {\"target\": \"/etc/initrd-release\", \"text\": \"NAME=x\\n\"},\n"
                + " {\"target\": \"/bin/hook\", \"base64\": \"IyEvYmluL3NoCg==\", \"mode\": \"0755\"},\n"
                + " {\"target\": \"/sysroot\", \"directory\": true},\n"
                + " {\"target\": \"/dev/console\", \"device\": \"c\", \"major\": 5, \"minor\": 1, \"mode\": \"0600\"},\n"
                + " {\"target\": \"/lib\", \"symlink\": \"usr/lib\"}\n"
                + "]\n");
        ContentsList list = ContentsList.read(f);
        List<ContentsList.Entry> e = list.entries();
        assertEquals(e.size(), 7);
        assertEquals(e.get(0), new ContentsList.Copy(0, InitrdPath.of("/usr/bin/sh"), Optional.empty()));
        assertEquals(e.get(1), new ContentsList.Copy(1, InitrdPath.of("/usr/lib/systemd/systemd"), Optional.of(InitrdPath.of("/init"))));
        assertEquals(e.get(2), new ContentsList.GeneratedFile(2, InitrdPath.of("/etc/initrd-release"),
                "NAME=x\n".getBytes(StandardCharsets.UTF_8), 0644));
        assertEquals(new String(((ContentsList.GeneratedFile) e.get(3)).content(), StandardCharsets.UTF_8), "#!/bin/sh\n");
        assertEquals(((ContentsList.GeneratedFile) e.get(3)).mode(), 0755);
        assertEquals(e.get(4), new ContentsList.EmptyDirectory(4, InitrdPath.of("/sysroot"), 0755));
        assertEquals(e.get(5), new ContentsList.Device(5, InitrdPath.of("/dev/console"), 'c', 5, 1, 0600));
        assertEquals(e.get(6), new ContentsList.Link(6, InitrdPath.of("/lib"), "usr/lib"));
        assertEquals(ContentsList.parse(list.toJson(), "round trip").entries(), e);
    }

    @DataProvider
    public Object[][] badLists() {
        return new Object[][] {
            {"{\"source\": \"/x\"}", "must be a JSON array"},
            {"[{\"source\": \"/x\"", "not valid JSON: line 1"},
            {"[{\"source\": \"/x\"}, 7]", "entry 1: must be an object"},
            {"[{\"sourc\": \"/x\"}]", "entry 0, field \"sourc\": unknown field"},
            {"[{\"source\": \"usr/bin/sh\"}]", "entry 0, field \"source\": must be an absolute path"},
            {"[{\"source\": 5}]", "entry 0, field \"source\": must be a string"},
            {"[{\"source\": \"/x\", \"target\": \"rel\"}]", "entry 0, field \"target\": must be an absolute path"},
            {"[{\"source\": \"/x\", \"mode\": \"0755\"}]", "entry 0, field \"mode\": not allowed with \"source\""},
            {"[{\"source\": \"/x\", \"text\": \"y\"}]", "entry 0: give only one of source, text"},
            {"[{\"target\": \"/x\"}]", "entry 0: needs one of"},
            {"[{\"text\": \"y\"}]", "entry 0, field \"target\": missing"},
            {"[{\"target\": \"/x\", \"text\": \"y\", \"mode\": \"755x\"}]", "entry 0, field \"mode\": \"755x\" is not an octal mode"},
            {"[{\"target\": \"/x\", \"text\": \"y\", \"mode\": 493}]", "entry 0, field \"mode\": must be an octal string"},
            {"[{\"target\": \"/x\", \"base64\": \"!!!\"}]", "entry 0, field \"base64\": not valid base64"},
            {"[{\"target\": \"/x\", \"directory\": false}]", "entry 0, field \"directory\": must be true"},
            {"[{\"target\": \"/dev/x\", \"device\": \"p\", \"major\": 1, \"minor\": 1}]", "entry 0, field \"device\": must be \"c\" or \"b\""},
            {"[{\"target\": \"/dev/x\", \"device\": \"c\", \"major\": 1}]", "entry 0, field \"minor\": missing"},
            {"[{\"target\": \"/dev/x\", \"device\": \"b\", \"major\": -1, \"minor\": 0}]", "entry 0, field \"major\": must be an integer from 0 to 4095"},
            {"[{\"target\": \"/x\", \"text\": \"y\", \"major\": 1}]", "entry 0, field \"major\": only allowed with \"device\""},
            {"[{\"target\": \"/dev/x\", \"device\": \"c\", \"major\": 1.5, \"minor\": 0}]", "entry 0, field \"major\": must be an integer from 0 to 4095"},
            {"[{\"source\": \"/x\", \"source\": \"/y\"}]", "line 1 column 27: Duplicate field 'source'"},
            {"[{\"source\": \"/x\"}]\n{}", "line 2 column 1: unexpected text after the end"},
            {"[{\"source\": \"/x\"}]\n]", "line 2 column 1: Unexpected close marker ']'"},
            {"[\n {\"source\": '/x'}]", "line 2 column 13: Unexpected character ('''"},
            {"[{\"source\": \"/x\\q\"}]", "Unrecognized character escape 'q'"},
            {"[{\"source\": \"/x\"},]", "Unexpected character (']'"},
            {"[{\"target\": \"/lib\", \"symlink\": \"usr/lib\", \"mode\": \"0777\"}]", "entry 0, field \"mode\": not allowed with \"symlink\""},
            {"[{\"target\": \"/lib\", \"symlink\": \"\"}]", "entry 0, field \"symlink\": must be a non-empty path"},
            {"[{\"symlink\": \"usr/lib\"}]", "entry 0, field \"target\": missing"},
        };
    }

    @Test(dataProvider = "badLists")
    public void badInputNamesFileEntryAndField(String json, String expected) throws Exception {
        Path f = Files.createTempDirectory("contents").resolve("bad.json");
        Files.writeString(f, json);
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> ContentsList.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    @Test
    public void missingFileIsNamed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> ContentsList.read(Path.of("/no/such/list.json")));
        assertTrue(e.getMessage().contains("/no/such/list.json"), e.getMessage());
    }

    @Test
    public void applyingAddsClosuresLinksAndGeneratedEntries() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.link("/lib", "usr/lib").file("/usr/lib/systemd/systemd", "#!/bin/sh\n").file("/etc/os-release", "ID=x\n");
        ContentsList list = ContentsList.parse("["
                + "{\"source\": \"/lib/systemd/systemd\", \"target\": \"/init\"},"
                + "{\"source\": \"/etc/os-release\", \"target\": \"/etc/initrd-release\"},"
                + "{\"target\": \"/lib/systemd/system/x.service\", \"text\": \"[Unit]\\n\"},"
                + "{\"target\": \"/sysroot\", \"directory\": true, \"mode\": \"0700\"},"
                + "{\"target\": \"/dev/console\", \"device\": \"c\", \"major\": 5, \"minor\": 1},"
                + "{\"target\": \"/lib/systemd/systemd-udevd\", \"symlink\": \"../../bin/udevadm\"},"
                + "{\"target\": \"/etc/dracut-dir\", \"directory\": true}"
                + "]", "test.json");
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        list.applyTo(c);
        InitrdPlan plan = c.build();
        assertEquals(plan.get(InitrdPath.of("/init")).orElseThrow(),
                new PlanEntry.Symlink(InitrdPath.of("/init"), "/lib/systemd/systemd", ContentsList.REASON));
        assertTrue(plan.get(InitrdPath.of("/lib")).orElseThrow() instanceof PlanEntry.Symlink);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/systemd/systemd")).orElseThrow() instanceof PlanEntry.RegularFile);
        assertTrue(plan.get(InitrdPath.of("/usr/lib/systemd/system/x.service")).orElseThrow() instanceof PlanEntry.Generated);
        assertEquals(((PlanEntry.Directory) plan.get(InitrdPath.of("/sysroot")).orElseThrow()).mode(), 0700);
        assertTrue(plan.get(InitrdPath.of("/dev/console")).orElseThrow() instanceof PlanEntry.DeviceNode);
        assertTrue(PlanPaths.follow(plan, "/etc/initrd-release").orElseThrow() instanceof PlanEntry.RegularFile);
        // an explicit link lands under the plan's /lib -> usr/lib and is not followed
        assertEquals(plan.get(InitrdPath.of("/usr/lib/systemd/systemd-udevd")).orElseThrow(),
                new PlanEntry.Symlink(InitrdPath.of("/usr/lib/systemd/systemd-udevd"), "../../bin/udevadm", ContentsList.REASON));
        assertFalse(plan.contains(InitrdPath.of("/usr/bin/udevadm")));
    }

    @Test
    public void everyMissingSourceIsReportedAtOnce() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/present", "x");
        ContentsList list = ContentsList.parse("[{\"source\": \"/gone1\"}, {\"source\": \"/present\"}, {\"source\": \"/gone2\"}]", "l.json");
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> list.applyTo(new Closure(t.sysroot(), InitrdPlan.builder())));
        assertTrue(e.getMessage().contains("/gone1") && e.getMessage().contains("/gone2"), e.getMessage());
    }

    @Test
    public void escapesAndUnicodeSurviveARoundTrip() {
        String json = "[{\"target\": \"/etc/motd\", \"text\": \"tab\\there \\\"quoted\\\" \\u00e9\\ud83d\\ude00 back\\\\slash\\n\"},"
                + " {\"source\": \"/usr/share/caf\u00e9\"}, {\"target\": \"/bin/blob\", \"base64\": \"AAEC\\n/w==\"}]";
        ContentsList list = ContentsList.parse(json, "t.json");
        String text = new String(((ContentsList.GeneratedFile) list.entries().get(0)).content(), StandardCharsets.UTF_8);
        assertEquals(text, "tab\there \"quoted\" \u00e9\ud83d\ude00 back\\slash\n");
        assertEquals(((ContentsList.Copy) list.entries().get(1)).source().value(), "/usr/share/caf\u00e9");
        assertEquals(((ContentsList.GeneratedFile) list.entries().get(2)).content(), new byte[] {0, 1, 2, (byte) 0xff});
        assertEquals(ContentsList.parse(list.toJson(), "again").entries(), list.entries());
        assertEquals(ContentsList.parse("[]", "empty").entries(), List.of());
    }

    @Test
    public void toJsonWritesOneEntryALine() {
        ContentsList list = ContentsList.of("code", List.of(
                new ContentsList.Copy(0, InitrdPath.of("/usr/bin/sh"), Optional.of(InitrdPath.of("/bin/sh"))),
                new ContentsList.GeneratedFile(1, InitrdPath.of("/init"), "#!/bin/sh\n\"a\"\tb\\\n".getBytes(StandardCharsets.UTF_8), 0755),
                new ContentsList.GeneratedFile(2, InitrdPath.of("/blob"), new byte[] {0, (byte) 0xff}, 0600),
                new ContentsList.EmptyDirectory(3, InitrdPath.of("/sysroot"), 0755),
                new ContentsList.Link(4, InitrdPath.of("/lib"), "usr/lib"),
                new ContentsList.Device(5, InitrdPath.of("/dev/console"), 'c', 5, 1, 0600)));
        assertEquals(list.toJson(), "[\n"
                + "  {\"source\": \"/usr/bin/sh\", \"target\": \"/bin/sh\"},\n"
                + "  {\"target\": \"/init\", \"text\": \"#!/bin/sh\\n\\\"a\\\"\\tb\\\\\\n\", \"mode\": \"0755\"},\n"
                + "  {\"target\": \"/blob\", \"base64\": \"AP8=\", \"mode\": \"0600\"},\n"
                + "  {\"target\": \"/sysroot\", \"directory\": true, \"mode\": \"0755\"},\n"
                + "  {\"target\": \"/lib\", \"symlink\": \"usr/lib\"},\n"
                + "  {\"target\": \"/dev/console\", \"device\": \"c\", \"major\": 5, \"minor\": 1, \"mode\": \"0600\"}\n"
                + "]\n");
        assertEquals(ContentsList.of("code", List.of()).toJson(), "[\n]\n");
    }

    @Test
    public void writtenListsAreReadBack() throws Exception {
        Path f = Files.createTempDirectory("contents").resolve("out.json");
        ContentsList list = ContentsList.of("code", List.of(new ContentsList.Copy(0, InitrdPath.of("/usr/bin/sh"), Optional.of(InitrdPath.of("/bin/sh"))),
                new ContentsList.Device(1, InitrdPath.of("/dev/null"), 'c', 1, 3, 0666)));
        list.write(f);
        assertEquals(ContentsList.read(f).entries(), list.entries());
        try (var s = Files.list(f.getParent())) {
            assertEquals(s.count(), 1L, "no temporary file left behind");
        }
    }

    /**
     * dracut writes relative links where the sysroot has absolute ones; a list read from its
     * image must not clash with the closure's copy of the same link.
     */
    @Test
    public void explicitLinksMeaningTheSameAsSysrootLinksAreKept() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/usr/lib/x86_64-linux-gnu/ld.so", "x").link("/lib", "usr/lib").link("/lib64", "usr/lib64")
                .link("/usr/lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so");
        ContentsList list = ContentsList.parse("[{\"source\": \"/lib64/ld.so\"},"
                + "{\"target\": \"/usr/lib64/ld.so\", \"symlink\": \"../lib/x86_64-linux-gnu/ld.so\"},"
                + "{\"target\": \"/lib64\", \"symlink\": \"usr/lib64\"}]", "dracut.json");
        Closure c = new Closure(t.sysroot(), InitrdPlan.builder());
        list.applyTo(c);
        InitrdPlan plan = c.build();
        // the closure's copy of the sysroot link came first and stays; the explicit one agrees
        assertEquals(((PlanEntry.Symlink) plan.get(InitrdPath.of("/usr/lib64/ld.so")).orElseThrow()).target(),
                "/lib/x86_64-linux-gnu/ld.so");
        assertTrue(PlanPaths.follow(plan, "/lib64/ld.so").orElseThrow() instanceof PlanEntry.RegularFile);

        // A link that leads somewhere else is still a conflict, named.
        t.file("/usr/lib/other", "y");
        ContentsList clash = ContentsList.parse("[{\"target\": \"/usr/lib64/ld.so\", \"symlink\": \"../lib/other\"},"
                + "{\"source\": \"/lib64/ld.so\"}]", "clash.json");
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> clash.applyTo(new Closure(t.sysroot(), InitrdPlan.builder())));
        assertTrue(e.getMessage().contains("/usr/lib64/ld.so"), e.getMessage());
    }

    /** A file list read back from another builder's image: what the sysroot has is copied, the rest kept. */
    @Test
    public void anotherInitrdBecomesAContentsList() throws Exception {
        TreeBuilder sys = new TreeBuilder();
        sys.file("/usr/bin/tool", "#!/bin/sh\necho tool\n").file("/etc/conf", "sysroot version\n").link("/bin", "usr/bin");
        Files.setPosixFilePermissions(sys.host("/usr/bin/tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        TreeBuilder img = new TreeBuilder();
        img.file("/usr/bin/tool", "#!/bin/sh\necho tool\n").file("/etc/conf", "image version\n").link("/bin", "usr/bin")
                .dir("/sysroot");
        Files.setPosixFilePermissions(img.host("/usr/bin/tool"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(img.host("/etc/conf"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path cpio = Files.createTempFile("image", ".cpio");
        HostCommand.of(Duration.ofSeconds(60), "sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc --quiet > " + cpio)
                .in(img.root).check();

        ContentsList list = ContentsList.fromInitrd(InitrdReader.read(cpio), sys.sysroot(), cpio.toString());
        java.util.Map<String, ContentsList.Entry> byTarget = new java.util.HashMap<>();
        for (ContentsList.Entry e : list.entries()) {
            String key = e instanceof ContentsList.Copy c ? c.source().value()
                    : e instanceof ContentsList.GeneratedFile g ? g.target().value()
                    : e instanceof ContentsList.Link l ? l.target().value()
                    : e instanceof ContentsList.EmptyDirectory d ? d.target().value() : "?";
            byTarget.put(key, e);
        }
        assertTrue(byTarget.get("/usr/bin/tool") instanceof ContentsList.Copy, byTarget.toString());
        assertTrue(byTarget.get("/etc/conf") instanceof ContentsList.GeneratedFile, byTarget.toString());
        assertEquals(byTarget.get("/bin"), new ContentsList.Link(byTarget.get("/bin").index(), InitrdPath.of("/bin"), "usr/bin"));
        assertTrue(byTarget.get("/sysroot") instanceof ContentsList.EmptyDirectory, byTarget.toString());

        Closure c = new Closure(sys.sysroot(), InitrdPlan.builder());
        list.applyTo(c);
        InitrdPlan plan = c.build();
        assertEquals(new String(((PlanEntry.Generated) plan.get(InitrdPath.of("/etc/conf")).orElseThrow()).content(),
                StandardCharsets.UTF_8), "image version\n");
        assertTrue(plan.get(InitrdPath.of("/usr/bin/tool")).orElseThrow() instanceof PlanEntry.RegularFile);
    }
}
