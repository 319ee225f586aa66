package org.initrdharness.initrd.elf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.host.HostCommand;
import org.initrdharness.initrd.Tools;

/** Compiles tiny C sources in tests with the host's gcc (harness/bin/setup-host installs it; without it tests fail). */
public final class Gcc {
    private Gcc() {}

    /** Writes {@code source} next to {@code output} and runs gcc with {@code args}; fails with gcc's output. */
    public static Path compile(Path output, String source, String... args) throws IOException, InterruptedException {
        Tools.require("gcc", "gcc");
        Files.createDirectories(output.getParent());
        Path src = Files.createTempFile(output.getParent(), "src", ".c");
        Files.writeString(src, source);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-o", output.toString(), src.toString()));
        cmd.addAll(List.of(args));
        run(cmd);
        Files.delete(src);
        return output;
    }

    static String run(List<String> cmd) throws IOException {
        return HostCommand.of(Duration.ofSeconds(60), cmd).check().text();
    }
}
