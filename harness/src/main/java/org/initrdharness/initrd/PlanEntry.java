package org.initrdharness.initrd;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One thing an initrd holds at {@link #path()}. {@code mode} is the permission bits only
 * (07777); the archive writer adds the file-type bits. {@code reason} says what brought the
 * entry in (an option, a contents-list line, "DT_NEEDED of /usr/bin/x"), for listings.
 */
public sealed interface PlanEntry
        permits PlanEntry.RegularFile, PlanEntry.Symlink, PlanEntry.Generated,
                PlanEntry.Directory, PlanEntry.DeviceNode {

    InitrdPath path();

    String reason();

    /** Same content at the same path, whatever brought it in. */
    boolean sameContentAs(PlanEntry other);

    /** A file copied from {@code source} (a host path, already resolved inside any sysroot). */
    record RegularFile(InitrdPath path, Path source, int mode, String reason) implements PlanEntry {
        public RegularFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(source, "source");
            mode &= 07777;
        }

        @Override
        public boolean sameContentAs(PlanEntry other) {
            return other instanceof RegularFile f && f.path.equals(path) && f.source.equals(source)
                    && f.mode == mode;
        }
    }

    /** A symbolic link holding {@code target} verbatim (absolute or relative). */
    record Symlink(InitrdPath path, String target, String reason) implements PlanEntry {
        public Symlink {
            Objects.requireNonNull(path, "path");
            if (target == null || target.isEmpty()) {
                throw new InitrdBuildException("symlink " + path + " has an empty target");
            }
        }

        @Override
        public boolean sameContentAs(PlanEntry other) {
            return other instanceof Symlink s && s.path.equals(path) && s.target.equals(target);
        }
    }

    /** A file whose bytes the plan holds (units, configuration, scripts). */
    record Generated(InitrdPath path, byte[] content, int mode, String reason) implements PlanEntry {
        public Generated {
            Objects.requireNonNull(path, "path");
            content = content.clone();
            mode &= 07777;
        }

        public static Generated text(InitrdPath path, String text, int mode, String reason) {
            return new Generated(path, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), mode, reason);
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean sameContentAs(PlanEntry other) {
            return other instanceof Generated g && g.path.equals(path) && g.mode == mode
                    && Arrays.equals(g.content, content);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Generated g && sameContentAs(g) && Objects.equals(g.reason, reason);
        }

        @Override
        public int hashCode() {
            return Objects.hash(path, mode, Arrays.hashCode(content));
        }
    }

    record Directory(InitrdPath path, int mode, String reason) implements PlanEntry {
        public Directory {
            Objects.requireNonNull(path, "path");
            mode &= 07777;
        }

        @Override
        public boolean sameContentAs(PlanEntry other) {
            return other instanceof Directory d && d.path.equals(path) && d.mode == mode;
        }
    }

    /** A character ('c') or block ('b') device node such as /dev/console c 5 1. */
    record DeviceNode(InitrdPath path, char kind, int major, int minor, int mode, String reason)
            implements PlanEntry {
        public DeviceNode {
            Objects.requireNonNull(path, "path");
            if (kind != 'c' && kind != 'b') {
                throw new InitrdBuildException("device node " + path + ": kind must be 'c' or 'b', not '" + kind + "'");
            }
            if (major < 0 || minor < 0) {
                throw new InitrdBuildException("device node " + path + ": negative major/minor");
            }
            mode &= 07777;
        }

        @Override
        public boolean sameContentAs(PlanEntry other) {
            return other instanceof DeviceNode d && d.path.equals(path) && d.kind == kind
                    && d.major == major && d.minor == minor && d.mode == mode;
        }
    }
}
