package org.initrdharness.initrd.elf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testng.SkipException;

/** Compiles tiny C sources in tests; a test is skipped (not failed) only when gcc itself is absent. */
public final class Gcc {
    private Gcc() {}

    public static boolean available() {
        return Files.isExecutable(Path.of("/usr/bin/gcc"));
    }

    /** Writes {@code source} next to {@code output} and runs gcc with {@code args}; fails with gcc's output. */
    public static Path compile(Path output, String source, String... args) throws IOException, InterruptedException {
        if (!available()) throw new SkipException("gcc is not installed");
        Files.createDirectories(output.getParent());
        Path src = Files.createTempFile(output.getParent(), "src", ".c");
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-o", output.toString(), src.toString()));
        cmd.addAll(List.of(args));
        run(cmd);
        Files.delete(src);
        return output;
    }

    /** True when gcc can build a 32-bit x86 shared object here (-m32 without a 32-bit libc). */
    public static boolean canBuild32() {
        try {
            Path d = Files.createTempDirectory("gcc32");
            compile(d.resolve("x.so"), "int f(void){return 1;}\n", "-m32", "-shared", "-nostdlib", "-fPIC");
            return true;
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        if (p.exitValue() != 0) throw new AssertionError(cmd + " failed:\n" + out);
        return out;
    }
}
