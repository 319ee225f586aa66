package org.initrdharness.images.deb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Unpacks package members into a directory tree that stands for a guest's root.
 *
 * <p>Every path is resolved inside the root: symlinks met on the way are followed the way the
 * guest would follow them (absolute targets start again at the root), so a package's
 * {@code /var/run -> /run} can never make us write to the host's {@code /run}. With
 * {@link #mergedUsr()}, {@code /bin}, {@code /sbin} and {@code /lib*} are symlinks into
 * {@code /usr} before anything is unpacked, so members named under {@code /lib} land in
 * {@code /usr/lib}, as on an installed Debian 12.
 */
public final class TreeWriter {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int MAX_LINKS = 40;

    private final Path root;
    private long files;
    private long bytes;
    private final List<String> skipped = new ArrayList<>();

    public TreeWriter(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        Files.createDirectories(this.root);
    }

    /** Creates the Debian 12 merged-/usr links: /bin, /sbin, /lib, /lib64 -> usr/... */
    public TreeWriter mergedUsr() throws IOException {
        for (String d : List.of("bin", "sbin", "lib", "lib64")) {
            Files.createDirectories(root.resolve("usr").resolve(d));
            Path link = root.resolve(d);
            if (!Files.exists(link, NOFOLLOW)) {
                Files.createSymbolicLink(link, Path.of("usr/" + d));
            }
        }
        return this;
    }

    public Path root() {
        return root;
    }

    public long files() {
        return files;
    }

    public long bytes() {
        return bytes;
    }

    /** Members that could not be placed (for example a file where a directory already is). */
    public List<String> skipped() {
        return skipped;
    }

    /** Unpacks every member of a package's data archive. */
    public void unpack(DebArchive deb) throws IOException {
        deb.readData(this::add);
    }

    /** Places one member. */
    public void add(DebArchive.Entry e, InputStream content) throws IOException {
        if (e.path().isEmpty()) return;
        String logicalParent = parentOf(e.path());
        String name = e.path().substring(logicalParent.isEmpty() ? 0 : logicalParent.length() + 1);
        if (name.equals("..") || name.equals(".")) {
            throw new IOException("member " + e.path() + ": refusing a path that ends in . or ..");
        }
        Path parent = resolve(logicalParent, true);
        Files.createDirectories(parent);
        Path target = parent.resolve(name);
        switch (e.type()) {
            case DIRECTORY -> {
                if (Files.isSymbolicLink(target)) {
                    // Keep a link to a directory (merged /usr, /var/run -> /run), made inside the root.
                    Path real = resolve(e.path(), true);
                    if (!Files.exists(real, NOFOLLOW)) Files.createDirectories(real);
                    return;
                }
                if (Files.isDirectory(target, NOFOLLOW)) return;
                if (Files.exists(target, NOFOLLOW)) Files.delete(target);
                Files.createDirectory(target);
                setMode(target, e.mode() == 0 ? 0755 : e.mode());
            }
            case FILE -> {
                if (!clearLeaf(target, e)) return;
                try (OutputStream out = Files.newOutputStream(target)) {
                    bytes += content.transferTo(out);
                }
                setMode(target, e.mode());
                Files.setLastModifiedTime(target, FileTime.fromMillis(e.mtimeSeconds() * 1000));
                files++;
            }
            case SYMLINK -> {
                String link = e.link();
                String realParent = root.relativize(parent).toString();
                if (!link.startsWith("/") && !realParent.equals(logicalParent)) {
                    // The member moved (say /lib/x landed in /usr/lib/x): keep its relative target
                    // pointing where it pointed from the place the package named.
                    String abs = normalize(logicalParent + "/" + link);
                    String absParent = root.relativize(resolve(parentOf(abs), true)).toString();
                    String leaf = abs.substring(abs.lastIndexOf('/') + 1);
                    link = relativeTo(realParent, absParent.isEmpty() ? leaf : absParent + "/" + leaf);
                    if (normalize(realParent + "/" + link).equals(normalize(realParent + "/" + name))) return;
                }
                if (!clearLeaf(target, e)) return;
                Files.createSymbolicLink(target, Path.of(link));
                files++;
            }
            case HARDLINK -> {
                Path source = resolve(e.link(), true);
                if (!clearLeaf(target, e)) return;
                if (Files.isRegularFile(source, NOFOLLOW)) {
                    try {
                        Files.createLink(target, source);
                    } catch (IOException | UnsupportedOperationException ex) {
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    files++;
                } else {
                    skipped.add(e.path() + " (hard link to missing " + e.link() + ")");
                }
            }
            default -> skipped.add(e.path() + " (device node or fifo: not needed in a sysroot)");
        }
    }

    /** Makes room for a non-directory member; false when a directory is in the way. */
    private boolean clearLeaf(Path target, DebArchive.Entry e) throws IOException {
        if (Files.isDirectory(target, NOFOLLOW)) {
            skipped.add(e.path() + " (a directory is already there)");
            return false;
        }
        Files.deleteIfExists(target);
        return true;
    }

    /**
     * The host path for a guest path, following symlinks inside the root; the last component is
     * followed only when {@code followLast}.
     */
    public Path resolve(String guestPath, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(split(guestPath));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.remove(done.size() - 1);
                continue;
            }
            Path here = root.resolve(String.join("/", done)).resolve(c);
            boolean last = todo.isEmpty();
            if ((!last || followLast) && Files.isSymbolicLink(here)) {
                if (++hops > MAX_LINKS) throw new IOException(guestPath + ": too many levels of symbolic links in " + root);
                String t = Files.readSymbolicLink(here).toString();
                List<String> parts = split(t);
                for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
                if (t.startsWith("/")) done.clear();
                continue;
            }
            done.add(c);
        }
        return done.isEmpty() ? root : root.resolve(String.join("/", done));
    }

    private static List<String> split(String p) {
        List<String> out = new ArrayList<>();
        for (String s : p.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    static String parentOf(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? "" : p.substring(0, i);
    }

    static String normalize(String p) {
        Deque<String> out = new ArrayDeque<>();
        for (String c : split(p)) {
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (!out.isEmpty()) out.removeLast();
            } else {
                out.addLast(c);
            }
        }
        return String.join("/", out);
    }

    /** A relative link from directory {@code fromDir} to {@code to} (both relative to the root). */
    static String relativeTo(String fromDir, String to) {
        List<String> a = split(normalize(fromDir));
        List<String> b = split(normalize(to));
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) i++;
        StringBuilder sb = new StringBuilder();
        for (int k = i; k < a.size(); k++) sb.append("../");
        for (int k = i; k < b.size(); k++) sb.append(b.get(k)).append(k + 1 < b.size() ? "/" : "");
        String s = sb.toString();
        if (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s.isEmpty() ? "." : s;
    }

    static void setMode(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) perms.add(bits[i]);
        }
        // Owner keeps write access so that a later package (or a rebuild) can replace the file.
        perms.add(PosixFilePermission.OWNER_WRITE);
        perms.add(PosixFilePermission.OWNER_READ);
        Files.setPosixFilePermissions(p, perms);
    }
}
