package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class BuildInitrdCommandTest {
    private Path dir;
    private Path contents;

    @BeforeClass
    public void contentsList() throws Exception {
        dir = Files.createTempDirectory("build-initrd");
        contents = Files.writeString(dir.resolve("contents.json"), """
                [{"source": "/usr/bin/bash", "target": "/bin/sh"},
                 {"target": "/init", "text": "#!/bin/sh\\nexec /bin/sh\\n", "mode": "0755"},
                 {"target": "/sysroot", "directory": true},
                 {"target": "/dev/console", "device": "c", "major": 5, "minor": 1}]
                """);
    }

    @Test
    public void buildsAReproducibleImageFromAContentsList() throws Exception {
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run("build-initrd", "--contents",
                contents.toString(), "--compress", "zstd:3", "--output", a.toString());
        assertEquals(r.exit(), 0, r.err());
        assertTrue(r.out().contains(a + ": "), r.out());
        ListAndDiffInitrdCommandTest.run("build-initrd", "--contents", contents.toString(), "--compress", "zstd:3",
                "--output", b.toString());
        assertEquals(Files.readAllBytes(b), Files.readAllBytes(a));

        Map<String, InitrdEntry> e = InitrdReader.read(a).byPath();
        assertEquals(e.get("/usr/bin/bash").data(), Files.readAllBytes(Path.of("/usr/bin/bash")));
        assertEquals(e.get("/bin/sh").linkTarget(), "/usr/bin/bash");
        assertEquals(e.get("/init").text(), "#!/bin/sh\nexec /bin/sh\n");
        assertTrue(e.get("/sysroot").isDirectory());
        assertEquals(e.get("/dev/console").rdevMajor(), 5);
        assertTrue(e.keySet().stream().anyMatch(p -> p.contains("libc.so.6")), "bash's libc: " + e.keySet());
    }

    @Test
    public void missingSourceFailsAndLeavesNoFile() throws Exception {
        Path list = Files.writeString(dir.resolve("missing.json"), "[{\"source\": \"/usr/bin/no-such-tool\"}]");
        Path out = dir.resolve("missing.img");
        ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run("build-initrd", "--contents",
                list.toString(), "--output", out.toString());
        assertEquals(r.exit(), 2);
        assertTrue(r.err().contains("/usr/bin/no-such-tool"), r.err());
        assertFalse(Files.exists(out));
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    public void moduleWithoutKernelModulesIsRefused() {
        ListAndDiffInitrdCommandTest.Run r = ListAndDiffInitrdCommandTest.run("build-initrd", "--contents",
                contents.toString(), "--module", "ext4", "--output", dir.resolve("m.img").toString());
        assertEquals(r.exit(), 2);
        assertTrue(r.err().contains("--module needs --kernel-modules"), r.err());
    }
}
