package org.initrdharness.initrd;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real host tools (GNU cpio, zstd, xz, gzip, lz4) that tests check archives with. They
 * come with harness/bin/setup-host: a missing one fails the test with the package to install.
 */
public final class Tools {
    private Tools() {}

    public record Run(int exit, String out, String err) {}

    /** Runs {@code command} in {@code dir}, stdin from {@code input} (or nothing), 60 s at most. */
    public static Run run(Path dir, Path input, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                : ProcessBuilder.Redirect.from(input.toFile()));
        File out = File.createTempFile("tool", ".out");
        File err = File.createTempFile("tool", ".err");
        try {
            pb.redirectOutput(out).redirectError(err);
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
            }
            return new Run(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.ISO_8859_1),
                    java.nio.file.Files.readString(err.toPath(), StandardCharsets.ISO_8859_1));
        } finally {
            out.delete();
            err.delete();
        }
    }

    /** Like {@link #run} but fails the test on a non-zero exit, showing stderr. */
    public static String ok(Path dir, Path input, String... command) throws IOException, InterruptedException {
        Run r = run(dir, input, command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.err());
        }
        return r.out();
    }

    /** Fails unless {@code tool} is on the PATH, naming the Debian package that has it. */
    public static void require(String tool, String debianPackage) {
        if (!installed(tool)) {
            throw new AssertionError(tool + " is not installed: install the Debian package " + debianPackage
                    + " (harness/bin/setup-host installs it)");
        }
    }

    public static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    public static List<String> lines(String s) {
        return s.lines().filter(l -> !l.isBlank()).toList();
    }
}
