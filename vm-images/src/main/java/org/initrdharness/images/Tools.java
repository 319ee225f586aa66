package org.initrdharness.images;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs the host tools images are made with (apt-get, mkfs.ext4, cryptsetup) and finds them. */
public final class Tools {
    private static final List<String> EXTRA_PATH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private Tools() {
    }

    /** What a finished command printed (stdout and stderr merged) and its exit status. */
    public record Result(List<String> command, int exit, List<String> lines) {
        public boolean ok() {
            return exit == 0;
        }

        public String output() {
            return String.join("\n", lines);
        }

        /** The last lines, for error messages. */
        public String tail(int n) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
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

    /** Runs a command to completion, streaming each output line to {@code lines} as well. */
    public static Result run(List<String> command, Path cwd, Map<String, String> env, byte[] stdin,
            Consumer<String> lines) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.environment().put("LC_ALL", "C");
        if (env != null) pb.environment().putAll(env);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin);
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
                if (lines != null) lines.accept(line);
            }
        }
        try {
            return new Result(command, p.waitFor(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }

    public static Result run(List<String> command) throws IOException {
        return run(command, null, null, null, null);
    }

    /** Runs a command and fails with its last output lines when it exits non-zero. */
    public static Result check(List<String> command, String doing) throws IOException {
        return check(command, null, doing);
    }

    /** {@link #check(List, String)} in the working directory {@code cwd}. */
    public static Result check(List<String> command, Path cwd, String doing) throws IOException {
        Result r = run(command, cwd, null, null, null);
        if (!r.ok()) {
            throw new ImagesException(doing + ": " + String.join(" ", command) + " exited with " + r.exit()
                    + ":\n" + r.tail(15));
        }
        return r;
    }
}
