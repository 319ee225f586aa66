package org.initrdharness.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.files.AtomicFiles;

/**
 * Writes qemu.sh: a shell script that boots a machine again by hand. Paths under the machine's
 * scratch directory (overlays, sockets) are rewritten to a fresh temporary directory, so a
 * replay never touches the original run's files; set-up commands (overlay creation) run first.
 */
public final class ReplayScript {
    private ReplayScript() {}

    /**
     * @param file       where to write the script
     * @param comment    lines shown at the top (what this boots, how to quit)
     * @param setup      commands run before QEMU, e.g. qemu-img create
     * @param command    QEMU's command line
     * @param scratchDir the original scratch directory, replaced by "$dir"
     */
    public static void write(Path file, List<String> comment, List<List<String>> setup, List<String> command,
            Path scratchDir) throws IOException {
        StringBuilder sb = new StringBuilder("#!/bin/sh\n");
        // A comment may hold several lines (QEMU's own words on why KVM failed): each stays a comment.
        for (String c : comment) c.lines().forEach(l -> sb.append("# ").append(l).append('\n'));
        sb.append("set -eu\n");
        sb.append("dir=$(mktemp -d \"${TMPDIR:-/tmp}/initrd-harness-replay.XXXXXX\")\n");
        sb.append("trap 'rm -rf \"$dir\"' EXIT\n");
        for (List<String> s : setup) sb.append(words(s, scratchDir, false)).append('\n');
        sb.append(words(command, scratchDir, true)).append('\n');
        AtomicFiles.write(file, sb.toString());
        file.toFile().setExecutable(true);
    }

    private static String words(List<String> args, Path scratchDir, boolean optionPerLine) {
        String dir = scratchDir.toString();
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) sb.append(optionPerLine && a.startsWith("-") ? " \\\n  " : " ");
            if (a.contains(dir)) {
                String q = "'" + a.replace("'", "'\\''") + "'";
                sb.append(q.replace(dir, "'\"$dir\"'"));
            } else {
                sb.append(quote(a));
            }
        }
        return sb.toString();
    }

    /** A word quoted for sh. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_%+=:,./-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
