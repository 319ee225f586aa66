package org.initrdharness.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.host.HostCommand;
import org.initrdharness.host.HostCommandException;

/** Finds the host tools images are made with (apt-get, mkfs.ext4, cryptsetup) and runs them as {@link HostCommand}s. */
public final class Tools {
    private static final List<String> EXTRA_PATH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");
    /** For {@link #check(List, String)}, whose callers make small disks and volumes. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

    private Tools() {
    }

    /**
     * The absolute path of a host tool, looked up on PATH and in the sbin directories (which a
     * non-root PATH often lacks); an error names the package that provides it.
     */
    public static Path require(String tool, String debianPackage) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) dirs.addAll(List.of(path.split(":")));
        dirs.addAll(EXTRA_PATH);
        for (String d : dirs) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        throw new ImagesException(tool + " not found on this host: install " + debianPackage
                + " (harness/bin/setup-host does it as root: apt-get install " + debianPackage + ")");
    }

    /** {@code command} in the C locale, so that the tools' messages (apt's above all) can be parsed. */
    public static HostCommand command(Duration deadline, List<String> command) {
        return HostCommand.of(deadline, command).env("LC_ALL", "C");
    }

    /** Runs {@code command}; a non-zero exit or a passed deadline is an {@link ImagesException} starting with {@code doing}. */
    public static HostCommand.Result check(HostCommand command, String doing) throws IOException {
        try {
            return command.check();
        } catch (HostCommandException e) {
            throw new ImagesException(doing + ": " + e.getMessage(), e);
        }
    }

    /** {@link #check(HostCommand, String)} with {@link #DEFAULT_DEADLINE}. */
    public static HostCommand.Result check(List<String> command, String doing) throws IOException {
        return check(command(DEFAULT_DEADLINE, command), doing);
    }
}
