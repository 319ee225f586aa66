package org.initrdharness.initrd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory tree seen as the root of another system: the x86_64 or aarch64 system an initrd is
 * built from, or the host itself ({@link #host()}). Paths are {@link InitrdPath}s and are resolved
 * component by component inside the root: an absolute symlink target starts again at the root,
 * ".." stops at the root, and no host path outside the root is ever opened. Every lookup is
 * cached, so walking thousands of paths costs one lstat and one readlink each.
 */
public final class Sysroot {
    /** Linux gives up after 40 links in one lookup; so do we, and call it a loop. */
    public static final int MAX_SYMLINKS = 40;

    private final Path root;
    private final boolean hostRoot;
    // Keyed by the path string: String hashes are cached, record hashes are not.
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, String> links = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> names = new ConcurrentHashMap<>();

    /** What a path is, from one lstat. */
    public enum Kind { FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET, MISSING }

    /**
     * One lstat result. {@code mode} holds the permission bits (07777); {@code rdev} is the device
     * number of a device node; {@code size} the length of a regular file.
     */
    public record Node(Kind kind, int mode, long size, long rdev) {
        static final Node MISSING = new Node(Kind.MISSING, 0, 0, 0);

        public boolean exists() {
            return kind != Kind.MISSING;
        }

        public int major() {
            return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
        }

        public int minor() {
            return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
        }
    }

    /** A symbolic link met while resolving: where it is (its parents already resolved) and what it says. */
    public record Link(InitrdPath path, String target) {
        @Override
        public String toString() {
            return path + " -> " + target;
        }
    }

    /** Why a resolution stopped short of an existing path. */
    public enum Failure { NONE, MISSING, NOT_A_DIRECTORY, LOOP }

    /**
     * The result of resolving {@code requested}: the physical path it names ({@code resolved}, no
     * symlink in it), what is there, and every symlink followed on the way, in order. On failure
     * {@code resolved} is the first path that could not be walked.
     */
    public record Resolution(InitrdPath requested, InitrdPath resolved, Node node, List<Link> links, Failure failure) {
        public boolean found() {
            return failure == Failure.NONE;
        }

        /** "/lib -> usr/lib, /usr/lib/x -> y" for messages; empty when no link was followed. */
        public String chain() {
            StringBuilder b = new StringBuilder();
            for (Link l : links) {
                if (b.length() > 0) b.append(", ");
                b.append(l);
            }
            return b.toString();
        }

        /** The links up to the first one met twice: a loop's round, said once. */
        private String distinctChain() {
            java.util.LinkedHashSet<Link> once = new java.util.LinkedHashSet<>(links);
            StringBuilder b = new StringBuilder();
            for (Link l : once) b.append(b.length() > 0 ? ", " : "").append(l);
            return once.size() < links.size() ? b + ", and round again" : b.toString();
        }

        /** A sentence for errors: "/x does not exist (via /lib -> usr/lib)". */
        public String describeFailure() {
            String via = links.isEmpty() ? "" : " (via " + chain() + ")";
            switch (failure) {
                case MISSING: return requested + " does not exist" + (resolved.equals(requested) ? "" : ": " + resolved + " is missing") + via;
                case NOT_A_DIRECTORY: return requested + ": " + resolved + " is not a directory" + via;
                case LOOP: return requested + ": more than " + MAX_SYMLINKS + " symlinks, a loop: " + distinctChain();
                default: return requested + " exists";
            }
        }
    }

    /** A sysroot at {@code root}, which must be an existing directory. */
    public Sysroot(Path root) {
        Objects.requireNonNull(root, "root");
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new InitrdBuildException("sysroot " + root + " cannot be opened (" + e.getMessage()
                    + "); pass an existing directory with --sysroot", e);
        }
        if (!Files.isDirectory(this.root)) {
            throw new InitrdBuildException("sysroot " + root + " is not a directory; pass a directory with --sysroot");
        }
        this.hostRoot = this.root.getNameCount() == 0;
    }

    /** The running system as sysroot: "/". */
    public static Sysroot host() {
        return new Sysroot(Path.of("/"));
    }

    /** The host directory this sysroot lives in (a real path). */
    public Path root() {
        return root;
    }

    public boolean isHostRoot() {
        return hostRoot;
    }

    /**
     * The host path for {@code p}, lexically. Only safe to open when {@code p} is already
     * resolved (see {@link #resolve}); otherwise a symlink in a parent could lead out of the root.
     */
    public Path hostPath(InitrdPath p) {
        return hostPath(p.value());
    }

    private Path hostPath(String p) {
        if (hostRoot) return Path.of(p);
        return p.equals("/") ? root : root.resolve(p.substring(1));
    }

    /** lstat of {@code p}, whose parents must be resolved already; cached. */
    public Node lstat(InitrdPath p) {
        return lstat(p.value());
    }

    private Node lstat(String p) {
        Node n = nodes.get(p);
        if (n == null) {
            n = readNode(hostPath(p));
            nodes.put(p, n);
        }
        return n;
    }

    private static Node readNode(Path host) {
        try {
            Map<String, Object> a = Files.readAttributes(host, "unix:mode,size,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            Kind kind;
            switch (mode & 0170000) {
                case 0100000: kind = Kind.FILE; break;
                case 0040000: kind = Kind.DIRECTORY; break;
                case 0120000: kind = Kind.SYMLINK; break;
                case 0020000: kind = Kind.CHAR_DEVICE; break;
                case 0060000: kind = Kind.BLOCK_DEVICE; break;
                case 0010000: kind = Kind.FIFO; break;
                default: kind = Kind.SOCKET;
            }
            return new Node(kind, mode & 07777, (Long) a.get("size"), (Long) a.get("rdev"));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Node.MISSING;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + host, e);
        }
    }

    /** The target of the symlink at {@code p} (parents resolved), verbatim; cached. */
    public String readLink(InitrdPath p) {
        return readLink(p.value());
    }

    private String readLink(String p) {
        String t = links.get(p);
        if (t == null) {
            try {
                t = Files.readSymbolicLink(hostPath(p)).toString();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read symlink " + hostPath(p), e);
            }
            links.put(p, t);
        }
        return t;
    }

    /**
     * Resolves {@code p} component by component, following every symlink inside the root
     * (the last component too). Never throws for missing paths or loops: see {@link Resolution#failure()}.
     */
    public Resolution resolve(InitrdPath p) {
        return walk(p, true);
    }

    /** Like {@link #resolve} but a symlink in the last component is not followed (lstat semantics). */
    public Resolution resolveParent(InitrdPath p) {
        return walk(p, false);
    }

    private Resolution walk(InitrdPath requested, boolean followLast) {
        // Strings, not InitrdPaths, inside the loop: every component is already normalised.
        Deque<String> pending = new ArrayDeque<>();
        pushComponents(pending, requested.value());
        List<Link> followed = null;
        String current = "/";
        Node node = lstat(current);
        while (!pending.isEmpty()) {
            String c = pending.pollFirst();
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                current = parentOf(current); // ".." at the root stays at the root
                node = lstat(current);
                continue;
            }
            if (node.kind() != Kind.DIRECTORY) {
                return result(requested, current, node, followed, Failure.NOT_A_DIRECTORY);
            }
            String candidate = current.length() == 1 ? "/" + c : current + "/" + c;
            Node n = lstat(candidate);
            if (!n.exists()) {
                return result(requested, candidate, n, followed, Failure.MISSING);
            }
            if (n.kind() == Kind.SYMLINK && (followLast || !pending.isEmpty())) {
                if (followed == null) followed = new ArrayList<>(2);
                if (followed.size() >= MAX_SYMLINKS) {
                    return result(requested, candidate, n, followed, Failure.LOOP);
                }
                String target = readLink(candidate);
                followed.add(new Link(InitrdPath.of(candidate), target));
                pushComponents(pending, target);
                if (target.startsWith("/")) {
                    current = "/";
                    node = lstat(current);
                }
                continue;
            }
            current = candidate;
            node = n;
        }
        return result(requested, current, node, followed, Failure.NONE);
    }

    private static Resolution result(InitrdPath requested, String at, Node node, List<Link> followed, Failure failure) {
        InitrdPath p = at.equals(requested.value()) ? requested : InitrdPath.of(at);
        return new Resolution(requested, p, node, followed == null ? List.of() : List.copyOf(followed), failure);
    }

    private static String parentOf(String p) {
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? "/" : p.substring(0, slash);
    }

    private static void pushComponents(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty()) pending.addFirst(parts[i]);
        }
    }

    /** True when {@code p} resolves to something that exists inside the root. */
    public boolean exists(InitrdPath p) {
        return resolve(p).found();
    }

    /** The host path of what {@code p} resolves to, if it exists; safe to open. */
    public Optional<Path> find(InitrdPath p) {
        Resolution r = resolve(p);
        return r.found() ? Optional.of(hostPath(r.resolved())) : Optional.empty();
    }

    /**
     * Names in the directory {@code dir} (already resolved), sorted so that walks are
     * deterministic.
     */
    public List<String> list(InitrdPath dir) {
        List<String> out = new ArrayList<>(names(dir));
        Collections.sort(out);
        return out;
    }

    /**
     * The names in the directory {@code dir} (already resolved) as a set, read once: a library
     * search asks each directory for many names, and a set answers without a stat per miss.
     * Empty when {@code dir} is not a directory.
     */
    public Set<String> names(InitrdPath dir) {
        Set<String> s = names.get(dir.value());
        if (s == null) {
            s = new HashSet<>();
            if (lstat(dir.value()).kind() == Kind.DIRECTORY) {
                // java.io.File.list gives plain strings: no Path object per entry in a 3000-entry /usr/lib.
                String[] entries = hostPath(dir.value()).toFile().list();
                if (entries == null) throw new UncheckedIOException(new IOException("cannot list " + hostPath(dir)));
                Collections.addAll(s, entries);
            }
            s = Collections.unmodifiableSet(s);
            names.put(dir.value(), s);
        }
        return s;
    }

    @Override
    public String toString() {
        return "sysroot " + root;
    }
}
