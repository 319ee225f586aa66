package org.initrdharness.initrd;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.initrdharness.host.HostCommand;

/**
 * Runs the real host tools (GNU cpio, zstd, xz, gzip, lz4) that tests check archives with. They
 * come with harness/bin/setup-host: a missing one fails the test with the package to install.
 */
public final class Tools {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private Tools() {}

    public record Run(int exit, String out, String err) {}

    /**
     * Runs {@code command} in {@code dir}, stdin from {@code input} (or nothing), 60 s at most;
     * the output may be binary, so it is returned byte for byte as ISO-8859-1.
     */
    public static Run run(Path dir, Path input, String... command) throws IOException {
        return result(HostCommand.of(DEADLINE, command).in(dir).input(input).separateErrors().run());
    }

    /** Like {@link #run} but fails on a non-zero exit, showing the end of stderr. */
    public static String ok(Path dir, Path input, String... command) throws IOException {
        return result(HostCommand.of(DEADLINE, command).in(dir).input(input).separateErrors().check()).out();
    }

    private static Run result(HostCommand.Result r) {
        return new Run(r.exit(), new String(r.output(), StandardCharsets.ISO_8859_1),
                new String(r.errors(), StandardCharsets.ISO_8859_1));
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
