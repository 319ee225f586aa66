package org.initrdharness.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class ReplayScriptTest {
    @Test
    public void scratchPathsMoveToAFreshDirectoryAndTheScriptIsValidSh() throws Exception {
        Path dir = Files.createTempDirectory("replay");
        Path script = dir.resolve("qemu.sh");
        Path scratch = Path.of("/tmp/ihm-42");
        ReplayScript.write(script, List.of("test"),
                List.of(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", "/base it's.img", "-F", "raw", "/tmp/ihm-42/disk-a.qcow2")),
                List.of("echo", "-blockdev", "driver=qcow2,file.filename=/tmp/ihm-42/disk-a.qcow2", "-append", "console=ttyS0 x='1'"),
                scratch);
        String text = Files.readString(script);
        assertTrue(Files.isExecutable(script));
        assertTrue(text.contains("'/base it'\\''s.img'"), text);
        // Run the QEMU line with echo standing in for QEMU: the words must come out as given, $dir expanded.
        String qemuLine = text.substring(text.indexOf("echo \\"));
        Process p = new ProcessBuilder("sh", "-c", "dir=/fresh; " + qemuLine).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(p.waitFor(), 0);
        assertEquals(out, "-blockdev driver=qcow2,file.filename=/fresh/disk-a.qcow2 -append console=ttyS0 x='1'");
    }

    @Test
    public void aCommentOfSeveralLinesStaysAComment() throws Exception {
        Path script = Files.createTempDirectory("replay").resolve("qemu.sh");
        ReplayScript.write(script, List.of("Accelerator: TCG (the KVM probe failed: no QMP greeting\nQEMU said: `error`\nAborted)."),
                List.of(), List.of("true"), Path.of("/tmp/ihm-43"));
        Process p = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(p.waitFor(), 0, out);
        assertTrue(Files.readString(script).contains("# QEMU said: `error`\n"));
    }
}
