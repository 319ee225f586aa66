package org.initrdharness.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testng.annotations.Test;

/**
 * A build that fails fast exits its JVM at once. When zstd-jni was still unpacking its native
 * library on the warm-up thread, that exit printed an ExceptionInInitializerError and left an
 * empty libzstd-jni-*.so in the temporary directory (a few runs in twenty). Each run here is a
 * fresh JVM with its own temporary directory, as a user's command is.
 */
public class CompressorWarmUpTest {
    private static final int RUNS = 8;

    @Test(timeOut = 900_000) // a guard against a hang, not a timing: the machine may be busy
    public void aFastFailureExitsWithOneLineAndLeavesNothingInTheTemporaryDirectory() throws Exception {
        Path dir = Files.createTempDirectory("warm-up");
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path sysroot = Files.createDirectories(dir.resolve("sysroot"));
        Path wrongType = Files.writeString(dir.resolve("wrong-type.json"), "[[]]");
        Path missing = Files.writeString(dir.resolve("missing.json"), "[{\"source\": \"/usr/bin/none\"}]");
        for (int i = 0; i < RUNS; i++) {
            Path list = i % 2 == 0 ? wrongType : missing;
            Result r = run(tmp, "build-initrd", "--contents", list.toString(), "--sysroot", sysroot.toString(),
                    "--output", dir.resolve("out.img").toString());
            assertEquals(r.exit, 2, r.err);
            assertTrue(r.err.startsWith("build-initrd: cannot build "), r.err);
            for (String line : r.err.split("\n")) {
                assertTrue(line.startsWith("build-initrd: ") || line.startsWith("  "), "run " + i + ": " + r.err);
            }
            try (Stream<Path> left = Files.list(tmp)) {
                List<Path> files = left.toList();
                assertTrue(files.isEmpty(), "run " + i + " left " + files);
            }
        }
    }

    /**
     * Without a temporary directory zstd-jni cannot unpack its library: the warm-up thread fails
     * with an Error, which must stay on that thread, and the build says what to do in one line.
     */
    @Test(timeOut = 900_000) // a guard against a hang, not a timing: the machine may be busy
    public void aCompressorThatCannotLoadIsOneLineNamingTheTemporaryDirectory() throws Exception {
        Path dir = Files.createTempDirectory("warm-up");
        Path sysroot = Files.createDirectories(dir.resolve("sysroot/usr/bin")).getParent().getParent();
        Files.writeString(sysroot.resolve("usr/bin/tool"), "#!/bin/sh\n");
        Path missing = Files.writeString(dir.resolve("missing.json"), "[{\"source\": \"/usr/bin/none\"}]");
        Path good = Files.writeString(dir.resolve("good.json"), "[{\"source\": \"/usr/bin/tool\"}]");
        Path noTmp = dir.resolve("no-such-tmp");

        Result r = run(noTmp, "build-initrd", "--contents", missing.toString(), "--sysroot", sysroot.toString(),
                "--output", dir.resolve("a.img").toString());
        assertEquals(r.exit, 2, r.err);
        assertTrue(r.err.startsWith("build-initrd: cannot build ") && r.err.contains("/usr/bin/none"), r.err);
        assertTrue(!r.err.contains("Exception") && !r.err.contains("Error"), r.err);

        r = run(noTmp, "build-initrd", "--contents", good.toString(), "--sysroot", sysroot.toString(),
                "--output", dir.resolve("b.img").toString());
        assertEquals(r.exit, 2, r.err);
        assertEquals(r.err.lines().count(), 1L, r.err);
        assertTrue(r.err.contains("native library") && r.err.contains(noTmp.toString()), r.err);
        assertTrue(!r.err.contains("Exception") && !r.err.contains("Error") && !r.err.contains("java."), r.err);
        assertTrue(Files.notExists(dir.resolve("b.img")));
    }

    private record Result(int exit, String err) {}

    private static Result run(Path tmp, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("build-initrd did not end in 60 s");
        }
        return new Result(p.exitValue(), err);
    }
}
