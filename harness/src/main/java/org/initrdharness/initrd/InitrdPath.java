package org.initrdharness.initrd;

import java.nio.charset.StandardCharsets;

/**
 * An absolute, normalised path inside an initrd ("/usr/lib/x"). Byte order of these strings puts
 * every parent before its children, which is the order the kernel's unpacker needs.
 */
public record InitrdPath(String value) implements Comparable<InitrdPath> {
    /** The kernel's limit on a name in a newc archive, terminating NUL included. */
    public static final int PATH_MAX = 4096;
    public static final InitrdPath ROOT = new InitrdPath("/");

    public InitrdPath {
        if (value == null || !value.startsWith("/")) {
            throw new InitrdBuildException("initrd path must be absolute: " + shown(value));
        }
        if (value.indexOf('\0') >= 0) {
            throw new InitrdBuildException("initrd path contains a NUL byte: " + shown(value));
        }
        value = normalise(value);
        if (value.getBytes(StandardCharsets.UTF_8).length + 1 > PATH_MAX) {
            throw new InitrdBuildException("initrd path is longer than PATH_MAX (" + PATH_MAX + " bytes): "
                    + value.substring(0, 64) + "...");
        }
    }

    public static InitrdPath of(String value) {
        return new InitrdPath(value);
    }

    /** The kernel's limit on one name component (NAME_MAX). */
    public static final int NAME_MAX = 255;

    /**
     * A path written by a user (a contents-list target, an option's file) for something to be
     * put there: absolute, no ".." (normalising it away would move the entry somewhere else than
     * written, out of the directory it names), not the archive's root, no name longer than the
     * kernel takes. The message says what is wrong, without the path's owner, for the caller to
     * prefix.
     */
    public static InitrdPath entry(String raw) {
        if (raw == null || !raw.startsWith("/")) {
            throw new InitrdBuildException("must be an absolute path (from the initrd's root, as \"/etc/x\"), not " + shown(raw));
        }
        if (raw.indexOf('\0') >= 0) throw new InitrdBuildException("the path contains a NUL byte");
        for (String part : raw.split("/")) {
            if (part.equals("..")) {
                throw new InitrdBuildException(shown(raw) + " contains \"..\"; write the path it means without it");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw new InitrdBuildException("a name in " + shown(raw) + " is longer than " + NAME_MAX
                        + " bytes, which the kernel cannot create");
            }
        }
        InitrdPath p = new InitrdPath(raw);
        if (p.isRoot()) {
            throw new InitrdBuildException(shown(raw) + " is the initrd's root directory itself, which nothing may"
                    + " replace; name a path below it");
        }
        return p;
    }

    /** A path as written, in quotes, control characters escaped and cut at 80: one line in any message. */
    public static String shown(String raw) {
        if (raw == null) return "null";
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < raw.length() && b.length() <= 80; i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        if (b.length() > 80) b.append("...");
        return b.append('\'').toString();
    }

    /** Lexical normalisation: "." dropped, ".." clamped at the root, repeated slashes collapsed. */
    private static String normalise(String p) {
        String[] parts = p.split("/");
        StringBuilder out = new StringBuilder();
        java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                stack.pollLast();
            } else {
                stack.addLast(part);
            }
        }
        for (String s : stack) out.append('/').append(s);
        return out.length() == 0 ? "/" : out.toString();
    }

    public boolean isRoot() {
        return value.equals("/");
    }

    /** The parent directory; the root is its own parent. */
    public InitrdPath parent() {
        int slash = value.lastIndexOf('/');
        return slash <= 0 ? ROOT : new InitrdPath(value.substring(0, slash));
    }

    public String fileName() {
        return isRoot() ? "" : value.substring(value.lastIndexOf('/') + 1);
    }

    public InitrdPath resolve(String child) {
        return new InitrdPath(isRoot() ? "/" + child : value + "/" + child);
    }

    /** The name as stored in a newc archive: relative, "." for the root. */
    public String archiveName() {
        return isRoot() ? "." : value.substring(1);
    }

    @Override
    public int compareTo(InitrdPath o) {
        return java.util.Arrays.compareUnsigned(
                value.getBytes(StandardCharsets.UTF_8), o.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return value;
    }
}
