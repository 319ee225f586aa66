package org.initrdharness.images.disk;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.DebFixtures;
import org.initrdharness.images.Tools;
import org.initrdharness.images.deb.DebArchive;
import org.initrdharness.images.deb.TreeWriter;
import org.initrdharness.vm.Arch;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Runs the stage-2 init with the host's static busybox against a made-up /run and command
 * line (mounts, console and power-off stubbed out), and reads back its STAGE2 line.
 */
public class Stage2InitTest {
    private Path busybox;
    private Path applets;

    @BeforeClass
    public void busybox() throws IOException {
        Path root = DebFixtures.scratch("busybox-host");
        new TreeWriter(root).mergedUsr().unpack(new DebArchive(DebFixtures.get("busybox-static")));
        busybox = root.resolve("usr/bin/busybox");
        applets = root.resolve("applets");
        Files.createDirectories(applets);
        for (String a : Busybox.applets(busybox)) Files.createSymbolicLink(applets.resolve(a), busybox);
    }

    @Test
    public void appletTableIsReadFromTheBinary() throws IOException {
        List<String> names = Busybox.applets(busybox);
        for (String must : List.of("sh", "mount", "poweroff", "awk", "find", "switch_root", "cttyhack", "setsid")) {
            assertTrue(names.contains(must), must + " in " + names);
        }
    }

    @Test
    public void printsOneJsonLineWithRunAndMarksThenPowersOff() throws IOException {
        Path dir = DebFixtures.scratch("stage2-run");
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(run.resolve("harness"));
        Files.createDirectories(run.resolve("systemd/ask-password"));
        Files.createDirectories(run.resolve("with space"));
        Files.writeString(run.resolve("harness/post-device"), "ran \"quoted\" \\ and\ttab\nsecond line\n");
        Files.writeString(run.resolve("harness/pre-device"), "ok");
        String out = runInit(dir, run, "console=ttyS0 root=LABEL=stage2root quiet");
        String line = out.lines().filter(l -> l.startsWith(Stage2.LINE_PREFIX)).findFirst().orElseThrow(
                () -> new AssertionError("no STAGE2 line in:\n" + out));
        assertEquals(out.lines().filter(l -> l.startsWith(Stage2.LINE_PREFIX)).count(), 1L);
        JsonNode j = new ObjectMapper().readTree(line.substring(Stage2.LINE_PREFIX.length()));
        assertEquals(j.path("cmdline").asText(), "console=ttyS0 root=LABEL=stage2root quiet");
        assertTrue(j.path("uptime").isNumber(), line);
        Arch host = Arch.host();
        assertNotNull(host, "host arch " + System.getProperty("os.arch") + " is neither x86_64 nor aarch64");
        assertEquals(j.path("arch").asText(), host.id());
        assertEquals(j.path("marks").path("post-device").asText(), "ran \"quoted\" \\ and\ttab\nsecond line");
        assertEquals(j.path("marks").path("pre-device").asText(), "ok");
        String r = run.toString();
        assertEquals(j.path("run").toString(), new ObjectMapper().writeValueAsString(List.of(r + "/harness",
                r + "/harness/post-device", r + "/harness/pre-device", r + "/systemd", r + "/systemd/ask-password",
                r + "/with space")));
        assertTrue(out.trim().endsWith("POWEROFF"), out);
    }

    @Test
    public void emptyRunGivesEmptyListAndObject() throws IOException {
        Path dir = DebFixtures.scratch("stage2-empty");
        Path run = Files.createDirectories(dir.resolve("run"));
        String out = runInit(dir, run, "x");
        assertTrue(out.contains("\"run\":[],\"marks\":{}}"), out);
    }

    @Test
    public void shellSwitchOpensAShellBeforePoweringOff() throws IOException {
        Path dir = DebFixtures.scratch("stage2-shell");
        Path run = Files.createDirectories(dir.resolve("run"));
        String out = runInit(dir, run, "console=ttyS0 " + Stage2.SHELL_SWITCH);
        assertTrue(out.contains("stage2: shell on the console"), out);
        assertTrue(out.trim().endsWith("POWEROFF"), out);
    }

    private String runInit(Path dir, Path run, String cmdline) throws IOException {
        Path cmdlineFile = dir.resolve("cmdline");
        Files.writeString(cmdlineFile, cmdline + "\n");
        String script = Stage2.initScript()
                .replace("/run", run.toString())
                // Only busybox's applets, as in the guest, not the host's tools.
                .replace("export PATH=/bin:/sbin:/usr/bin:/usr/sbin", "export PATH=" + applets)
                .replace("/proc/cmdline", cmdlineFile.toString())
                .replace("poweroff -f", "echo POWEROFF")
                .replace("mount ", ": mount ")
                .replace("exec </dev/console >/dev/console 2>&1", ":")
                // cttyhack would take the host's console: the stub shell reads the (empty) stdin.
                .replace("setsid cttyhack sh -l || sh -l", "sh");
        assertTrue(script.contains("export PATH=" + applets) && !script.contains("cttyhack") && !script.contains("poweroff -f") && !script.matches("(?s).*[^:] mount -.*"), "host left untouched");
        Path init = dir.resolve("init");
        Files.writeString(init, script);
        HostCommand.Result r = Tools.command(Duration.ofMinutes(1), List.of(busybox.toString(), "sh", init.toString()))
                .in(dir).env("PATH", applets.toString()).input(new byte[0]).run();
        assertEquals(r.exit(), 0, r.text());
        return r.text();
    }
}
