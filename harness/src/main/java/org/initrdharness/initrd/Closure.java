package org.initrdharness.initrd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.elf.ElfNote;

/**
 * Adds sysroot paths to an {@link InitrdPlan.Builder} together with everything they need to work
 * in the initrd: every symlink on the way (so that on a merged-/usr system {@code /lib/x} gives
 * the link {@code /lib -> usr/lib} plus {@code /usr/lib/x}), the contents of directories, and for
 * ELF files the interpreter and every DT_NEEDED library found as ld.so finds it
 * ({@link LibraryResolver}). Breadth-first with a seen-set; symlink loops are reported, never
 * followed forever.
 *
 * <p>Directories are copied with everything below them; a symlink met inside such a directory
 * is copied with what it leads to, except that a directory it leads to comes empty.
 *
 * <p>Each {@code add} call finishes its whole closure before it returns and fails with one
 * {@link InitrdBuildException} listing everything that was missing, each with the chain that
 * needed it, unless {@link ClosureOptions#allowMissing()} turns those into {@link #warnings()}.
 * Not thread-safe: one closure per build. Over 400 lines because symlink walking, directory
 * copying and the ELF walk share one breadth-first queue, seen-set and missing-path chain.
 */
public final class Closure {
    private static final List<String> EXECUTABLE_DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private final Sysroot sysroot;
    private final InitrdPlan.Builder plan;
    private final ClosureOptions options;
    private final LibraryResolver libraries;
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final Set<String> seenRequests = new HashSet<>();
    private final Set<String> seenResolved = new HashSet<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private ElfFile model;
    /**
     * Per executable (or other root object), the libraries ld.so would already have loaded, by
     * DT_NEEDED name and DT_SONAME: ld.so takes a loaded object before it searches, which is how
     * a library without RUNPATH finds a sibling its executable's RUNPATH found (systemd's
     * libsystemd-core finding libsystemd-shared).
     */
    private final Map<LibraryResolver.Loaded, Map<String, LibraryResolver.Lookup>> loadedByRoot = new IdentityHashMap<>();
    /**
     * Libraries a library could not find on its own search path. A library is loaded by someone
     * else, whose RUNPATH or earlier DT_NEEDED may already have brought the missing one in
     * (libjava.so needs libjvm.so, which the java launcher loads by full path); such a name only
     * fails the build when no object in the initrd provides it.
     */
    private final List<Unresolved> unresolvedOfLibraries = new ArrayList<>();
    /** File names and DT_SONAMEs of every regular file and link added: what ld.so could match a loaded object by. */
    private final Set<String> providedNames = new HashSet<>();

    private boolean ldSoCacheHandled;
    /** Every ELF object walked, in order: where {@link #addDlopenFeature} looks for notes. */
    private final List<LibraryResolver.Loaded> walked = new ArrayList<>();

    /** One path to add; {@code loader} is set for libraries found for a DT_NEEDED entry. */
    private record Work(InitrdPath path, String reason, boolean required, LibraryResolver.Loaded loader) {}

    /** A DT_NEEDED {@code name} a library's own search did not find, and the error to give if nothing provides it. */
    private record Unresolved(String name, String message) {}

    /** A closure with {@link ClosureOptions#defaults()}: missing things fail, dlopen notes ignored. */
    public Closure(Sysroot sysroot, InitrdPlan.Builder plan) {
        this(sysroot, plan, ClosureOptions.defaults());
    }

    /** A closure adding to {@code plan} what it finds in {@code sysroot}. */
    public Closure(Sysroot sysroot, InitrdPlan.Builder plan, ClosureOptions options) {
        this.sysroot = sysroot;
        this.plan = plan;
        this.options = options;
        this.libraries = new LibraryResolver(sysroot);
    }

    public Sysroot sysroot() {
        return sysroot;
    }

    public InitrdPlan.Builder plan() {
        return plan;
    }

    public ClosureOptions options() {
        return options;
    }

    /** The library search this closure uses (and its parsed-ELF cache). */
    public LibraryResolver libraries() {
        return libraries;
    }

    /** What was missing but allowed, symlink loops, unreadable ELF files: one sentence each. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** Freezes the plan: {@code plan().build()}. */
    public InitrdPlan build() {
        return plan.build();
    }

    /**
     * Copies {@code source} from the sysroot to the same path in the initrd, with what it needs.
     *
     * @param reason what asked for it, kept on the entry ("contents list", "systemd stage 1")
     * @throws InitrdBuildException when {@code source} or a library it needs is missing (unless allowMissing)
     */
    public Closure add(InitrdPath source, String reason) {
        enqueue(source, reason, true, null);
        drain();
        return this;
    }

    /** {@link #add(InitrdPath, String)} for a path written as a string. */
    public Closure add(String source, String reason) {
        return add(InitrdPath.of(source), reason);
    }

    /**
     * Adds all {@code sources} in one breadth-first walk; a failure lists every missing source
     * and library at once.
     */
    public Closure addAll(Collection<InitrdPath> sources, String reason) {
        for (InitrdPath p : sources) enqueue(p, reason, true, null);
        drain();
        return this;
    }

    /** Adds {@code source} when it exists in the sysroot; returns whether it did. Never fails for absence. */
    public boolean addIfExists(InitrdPath source, String reason) {
        if (!sysroot.exists(source)) return false;
        add(source, reason);
        return true;
    }

    /**
     * Adds {@code source} as {@link #add} does and makes {@code link} a symlink to it (the
     * contents list's "target"). Symlinks already in the plan among {@code link}'s parents are
     * followed, so the link lands where the initrd will look for it.
     */
    public Closure addLink(InitrdPath link, InitrdPath source, String reason) {
        add(source, reason);
        InitrdPath at = resolveInPlan(link);
        if (!at.equals(source) && !equivalentLinkInPlan(at, source.value())) {
            plan.add(new PlanEntry.Symlink(at, source.value(), reason));
        }
        return this;
    }

    /**
     * Where {@code p} lands in the plan: symlinks already in the plan among its parents are
     * followed (a path under "/lib" goes under "/usr/lib" once "/lib -> usr/lib" is there). The
     * last component is left alone. Use this before adding generated files under such paths.
     */
    public InitrdPath resolveInPlan(InitrdPath p) {
        if (p.isRoot()) return p;
        InitrdPath parent = p.parent();
        for (int hops = 0; hops <= Sysroot.MAX_SYMLINKS; hops++) {
            InitrdPath resolved = resolvePrefix(parent);
            if (resolved == null) return parent.resolve(p.fileName());
            parent = resolved;
        }
        throw new InitrdBuildException("symlink loop among the parents of " + p + " in the initrd plan");
    }

    /**
     * Adds {@code entry} (a generated file, directory, device node, link) at
     * {@link #resolveInPlan} of its path, so that "/lib/modules-load.d/x.conf" lands in
     * "/usr/lib/modules-load.d/x.conf" once the closure has put "/lib -> usr/lib" in the plan.
     * A symlink whose text differs from one already there but leads to the same file in the
     * sysroot keeps the one there. Add sources first, then placed entries.
     */
    public Closure addPlaced(PlanEntry entry) {
        InitrdPath at = resolveInPlan(entry.path());
        if (at.equals(entry.path()) && !(entry instanceof PlanEntry.Symlink)) {
            plan.add(entry);
        } else if (entry instanceof PlanEntry.Generated g) {
            plan.add(new PlanEntry.Generated(at, g.content(), g.mode(), g.reason()));
        } else if (entry instanceof PlanEntry.Directory d) {
            plan.add(new PlanEntry.Directory(at, d.mode(), d.reason()));
        } else if (entry instanceof PlanEntry.Symlink l) {
            if (!equivalentLinkInPlan(at, l.target())) plan.add(new PlanEntry.Symlink(at, l.target(), l.reason()));
        } else if (entry instanceof PlanEntry.DeviceNode n) {
            plan.add(new PlanEntry.DeviceNode(at, n.kind(), n.major(), n.minor(), n.mode(), n.reason()));
        } else if (entry instanceof PlanEntry.RegularFile f) {
            plan.add(new PlanEntry.RegularFile(at, f.source(), f.mode(), f.reason()));
        }
        return this;
    }

    /** One pass: the first plan symlink among the components of {@code dir}, substituted; null when none. */
    private InitrdPath resolvePrefix(InitrdPath dir) {
        String[] parts = dir.value().split("/");
        InitrdPath cur = InitrdPath.ROOT;
        for (int i = 1; i < parts.length; i++) {
            InitrdPath next = cur.resolve(parts[i]);
            Optional<PlanEntry> e = plan.get(next);
            if (e.isPresent() && e.get() instanceof PlanEntry.Symlink s) {
                String t = s.target();
                StringBuilder rest = new StringBuilder();
                for (int j = i + 1; j < parts.length; j++) rest.append('/').append(parts[j]);
                return InitrdPath.of((t.startsWith("/") ? t : cur.value() + "/" + t) + rest);
            }
            cur = next;
        }
        return null;
    }

    /**
     * Finds an executable by name in /usr/sbin, /usr/bin, /sbin and /bin of the sysroot, as the
     * path it was found at (symlinks not resolved).
     */
    public Optional<InitrdPath> findExecutable(String name) {
        for (String dir : EXECUTABLE_DIRS) {
            InitrdPath p = InitrdPath.of(dir).resolve(name);
            Sysroot.Resolution r = sysroot.resolve(p);
            if (r.found() && r.node().kind() == Sysroot.Kind.FILE) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Adds the executable {@code name} found by {@link #findExecutable}; missing fails unless allowMissing. */
    public Closure addExecutable(String name, String reason) {
        Optional<InitrdPath> p = findExecutable(name);
        if (p.isPresent()) return add(p.get(), reason);
        missing("executable " + name + " (" + reason + ") not found in " + String.join(", ", EXECUTABLE_DIRS)
                + " of " + sysroot);
        flushErrors();
        return this;
    }

    /**
     * Adds a library that is loaded by name at run time (NSS modules, libgcc_s.so.1), searched in
     * the sysroot's ld.so.conf, multiarch and default directories for the class and machine of the
     * ELF files added so far (or of the sysroot's /bin/sh).
     */
    public Closure addLibrary(String soname, String reason) {
        ElfFile m = model();
        LibraryResolver.Lookup l = libraries.findSystemLibrary(soname, m);
        if (l.found()) {
            enqueueLibrary(l, reason, null);
            drain();
        } else {
            missing(soname + " (" + reason + ") not found in " + sysroot + "; searched: " + String.join(", ", l.searched()));
            flushErrors();
        }
        return this;
    }

    private ElfFile model() {
        if (model != null) return model;
        for (String probe : List.of("/bin/sh", "/usr/bin/sh", "/usr/bin/env")) {
            Sysroot.Resolution r = sysroot.resolve(InitrdPath.of(probe));
            if (r.found()) {
                Optional<ElfFile> e = libraries.elf(r.resolved());
                if (e.isPresent()) return model = e.get();
            }
        }
        throw new InitrdBuildException("cannot tell the ELF class and machine of " + sysroot
                + ": no ELF file added yet and no /bin/sh; add an executable before libraries");
    }

    /**
     * Adds the library a lookup found. One found only through an ld.so.conf directory is found at
     * run time only through /etc/ld.so.cache: the sysroot's cache comes along (its paths are the
     * initrd's paths), or a warning says the library will not load.
     */
    private void enqueueLibrary(LibraryResolver.Lookup l, String reason, LibraryResolver.Loaded loader) {
        enqueue(l.path(), reason, true, new LibraryResolver.Loaded(l.path(), l.elf(), loader));
        if (l.via() != LibraryResolver.Via.LD_SO_CONF || ldSoCacheHandled) return;
        ldSoCacheHandled = true;
        InitrdPath cache = InitrdPath.of("/etc/ld.so.cache");
        if (sysroot.exists(cache)) {
            enqueue(cache, "ld.so.conf directory " + l.path().parent() + " (for " + l.path().fileName() + ")", true, null);
        } else {
            warnings.add(l.path() + " was found through ld.so.conf, but " + sysroot + " has no /etc/ld.so.cache:"
                    + " ld.so in the initrd will not search " + l.path().parent() + "; run ldconfig -r on the sysroot");
        }
    }

    private void enqueue(InitrdPath path, String reason, boolean required, LibraryResolver.Loaded loader) {
        if (seenRequests.add(path.value())) queue.addLast(new Work(path, reason, required, loader));
    }

    private void drain() {
        try {
            while (!queue.isEmpty()) process(queue.pollFirst());
        } catch (RuntimeException e) {
            // A failed add leaves nothing half-queued for the next one.
            queue.clear();
            unresolvedOfLibraries.clear();
            errors.clear();
            if (e instanceof UncheckedIOException io) {
                throw new InitrdBuildException("reading " + sysroot + " failed: " + io.getCause().getMessage(), io);
            }
            throw e;
        }
        for (Unresolved u : unresolvedOfLibraries) {
            if (!providedNames.contains(u.name())) missing(u.message() + "; and no file in the initrd is called " + u.name());
        }
        unresolvedOfLibraries.clear();
        flushErrors();
    }

    private void flushErrors() {
        if (errors.isEmpty()) return;
        List<String> all = new ArrayList<>(errors);
        errors.clear();
        StringBuilder msg = new StringBuilder();
        int shown = Math.min(all.size(), 20);
        for (int i = 0; i < shown; i++) msg.append(i == 0 ? "" : "\n").append(all.get(i));
        if (all.size() > shown) msg.append("\n... and ").append(all.size() - shown).append(" more");
        msg.append("\n(install what is missing into the sysroot, or pass --allow-missing to build anyway)");
        throw new InitrdBuildException(msg.toString());
    }

    private void missing(String what) {
        if (options.allowMissing()) {
            warnings.add("missing: " + what);
        } else {
            errors.add("missing: " + what);
        }
    }

    private void process(Work w) {
        Sysroot.Resolution r = sysroot.resolve(w.path);
        for (Sysroot.Link link : r.links()) addReplicatedLink(link, w.path);
        if (!r.found()) {
            if (r.failure() == Sysroot.Failure.LOOP) {
                warnings.add("symlink loop kept as links: " + r.describeFailure() + " (" + w.reason + ")");
            } else if (w.required) {
                missing(r.describeFailure() + " in " + sysroot + " (" + w.reason + ")");
            } else {
                warnings.add("dangling: " + r.describeFailure() + " (" + w.reason + ")");
            }
            return;
        }
        InitrdPath at = r.resolved();
        if (!seenResolved.add(at.value())) return;
        Sysroot.Node n = r.node();
        switch (n.kind()) {
            case FILE:
                plan.add(new PlanEntry.RegularFile(at, sysroot.hostPath(at), n.mode(), w.reason));
                providedNames.add(at.fileName());
                providedNames.add(w.path.fileName());
                for (Sysroot.Link link : r.links()) providedNames.add(link.path().fileName());
                if (w.loader == null && !mayBeDynamicElf(at, n)) break; // libraries found by search are always read
                Optional<ElfFile> elf = libraries.elf(at);
                if (elf.isPresent()) {
                    // ld.so's $ORIGIN: the name a library was found under; the real path of anything else.
                    elf.get().soname().ifPresent(providedNames::add);
                    walkElf(w.loader != null ? w.loader : new LibraryResolver.Loaded(at, elf.get(), null), w.reason);
                } else if (libraries.elfProblem(at).isPresent()) {
                    warnings.add(libraries.elfProblem(at).get() + " (copied, its libraries not followed)");
                }
                break;
            case DIRECTORY:
                plan.add(new PlanEntry.Directory(at, n.mode(), w.reason));
                // A link inside a copied directory that leads to another directory (a module
                // tree's build -> /usr/src/...) brings that directory, not everything below it.
                if (!w.required && !r.links().isEmpty()) break;
                String inDir = "in directory " + at;
                for (String name : sysroot.list(at)) enqueue(at.resolve(name), inDir, false, null);
                break;
            case CHAR_DEVICE:
            case BLOCK_DEVICE:
                plan.add(new PlanEntry.DeviceNode(at, n.kind() == Sysroot.Kind.CHAR_DEVICE ? 'c' : 'b',
                        n.major(), n.minor(), n.mode(), w.reason));
                break;
            default:
                warnings.add("skipped " + at + ": a " + n.kind().name().toLowerCase() + " cannot go into an initrd (" + w.reason + ")");
        }
    }

    /**
     * Copies a symlink met on the way. A link already in the plan at that path with other text
     * but the same destination (dracut writes "../lib/x" where the sysroot says "/lib/x") is kept:
     * both lead to the file this closure copies.
     */
    private void addReplicatedLink(Sysroot.Link link, InitrdPath requested) {
        if (!equivalentLinkInPlan(link.path(), link.target())) {
            plan.add(new PlanEntry.Symlink(link.path(), link.target(), "symlink chain of " + requested));
        }
    }

    /** True when the plan has a symlink at {@code path} whose other text leads where {@code target} leads, in the sysroot. */
    private boolean equivalentLinkInPlan(InitrdPath path, String target) {
        Optional<PlanEntry> existing = plan.get(path);
        if (existing.isEmpty() || !(existing.get() instanceof PlanEntry.Symlink s) || s.target().equals(target)) return false;
        Sysroot.Resolution mine = sysroot.resolve(linkDestination(path, target));
        Sysroot.Resolution theirs = sysroot.resolve(linkDestination(path, s.target()));
        return mine.found() && theirs.found() && mine.resolved().equals(theirs.resolved());
    }

    private static InitrdPath linkDestination(InitrdPath link, String target) {
        return target.startsWith("/") ? InitrdPath.of(target) : InitrdPath.of(link.parent().value() + "/" + target);
    }

    /**
     * Whether a file is worth opening to look for ELF headers: executables and anything named
     * like a shared object (libraries are often 0644), as dracut decides too. Unit files, rules
     * and other data, most of a systemd initrd, are copied without an open.
     */
    private static boolean mayBeDynamicElf(InitrdPath p, Sysroot.Node n) {
        if (n.size() < 52) return false;
        if ((n.mode() & 0111) != 0) return true;
        String name = p.fileName();
        return name.contains(".so") || name.startsWith("ld-");
    }

    private void walkElf(LibraryResolver.Loaded obj, String rootReason) {
        walked.add(obj);
        ElfFile elf = obj.elf();
        if (model == null && elf.interpreter().isPresent()) model = elf;
        if (elf.interpreter().isPresent()) {
            String raw = elf.interpreter().get();
            if (!raw.startsWith("/")) {
                throw new InitrdBuildException("the ELF file " + obj.path() + " names '" + raw + "' as its interpreter"
                        + " (PT_INTERP), which is not an absolute path; the file is damaged or not made for Linux");
            }
            InitrdPath interp = InitrdPath.of(raw);
            enqueue(interp, "PT_INTERP of " + obj.path(), true, null);
        }
        for (String name : elf.needed()) {
            String reason = "DT_NEEDED of " + obj.path();
            if (name.indexOf('/') >= 0) {
                if (name.startsWith("/")) enqueue(InitrdPath.of(name), reason, true, null);
                else warnings.add("DT_NEEDED " + name + " of " + obj.path() + " is a relative path; not followed");
                continue;
            }
            Map<String, LibraryResolver.Lookup> loaded = loadedByRoot.computeIfAbsent(root(obj), k -> new HashMap<>());
            LibraryResolver.Lookup l = loaded.get(name);
            if (l == null) {
                l = libraries.find(name, obj);
                if (l.found()) {
                    loaded.put(name, l);
                    LibraryResolver.Lookup found = l;
                    l.elf().soname().ifPresent(so -> loaded.putIfAbsent(so, found));
                    enqueueLibrary(l, reason, obj);
                }
            }
            if (!l.found()) {
                String what = name + " needed by " + obj.chain() + " (" + rootReason + "); searched: "
                        + String.join(", ", l.searched());
                if (root(obj).elf().interpreter().isPresent()) {
                    missing(what); // under an executable nothing else can have loaded it
                } else {
                    unresolvedOfLibraries.add(new Unresolved(name, what));
                }
            }
        }
        if (options.dlopen() != ClosureOptions.DlopenPriority.NONE) walkDlopenNotes(obj);
    }

    private static LibraryResolver.Loaded root(LibraryResolver.Loaded obj) {
        LibraryResolver.Loaded r = obj;
        while (r.loader() != null) r = r.loader();
        return r;
    }

    /**
     * Adds, for every object added so far whose {@code .note.dlopen} names {@code feature}, the
     * first of the note's libraries the sysroot has (whatever the note's priority), with its
     * closure. Returns the number of notes that named the feature: 0 when the objects link its
     * libraries directly (or do not have the feature), which is not an error.
     *
     * @throws InitrdBuildException when a note names the feature but none of its libraries exists
     */
    public int addDlopenFeature(String feature, String reason) {
        int named = 0;
        for (LibraryResolver.Loaded obj : List.copyOf(walked)) {
            for (Map<?, ?> entry : dlopenEntries(obj)) {
                if (!feature.equals(entry.get("feature"))) continue;
                named++;
                List<?> sonames = entry.get("soname") instanceof List<?> names ? names : List.of();
                List<String> tried = new ArrayList<>();
                boolean found = false;
                for (Object so : sonames) {
                    if (!(so instanceof String name)) continue;
                    tried.add(name);
                    LibraryResolver.Lookup l = libraries.find(name, obj);
                    if (l.found()) {
                        enqueueLibrary(l, reason + " (dlopen feature " + feature + " of " + obj.path() + ")", obj);
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    missing("dlopen feature " + feature + " of " + obj.path() + " (" + reason + "): none of "
                            + tried + " is in " + sysroot);
                }
            }
        }
        drain();
        flushErrors();
        return named;
    }

    /** The entries of an object's .note.dlopen notes; unreadable ones are warned about and skipped. */
    private List<Map<?, ?>> dlopenEntries(LibraryResolver.Loaded obj) {
        List<Map<?, ?>> out = new ArrayList<>();
        List<ElfNote> notes;
        try {
            notes = obj.elf().notes(".note.dlopen");
        } catch (IOException e) {
            warnings.add("cannot read .note.dlopen of " + obj.path() + ": " + e.getMessage());
            return out;
        }
        for (ElfNote note : notes) {
            if (note.type() != ElfNote.FDO_DLOPEN_METADATA || !note.owner().equals("FDO")) continue;
            try {
                if (JsonValues.parse(note.descriptorText()) instanceof List<?> items) {
                    for (Object item : items) if (item instanceof Map<?, ?> m) out.add(m);
                }
            } catch (JsonValues.SyntaxError e) {
                warnings.add("unreadable .note.dlopen JSON in " + obj.path() + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** systemd's .note.dlopen: a JSON array of {feature, soname[], priority}; any one soname will do. */
    private void walkDlopenNotes(LibraryResolver.Loaded obj) {
        List<ElfNote> notes;
        try {
            notes = obj.elf().notes(".note.dlopen");
        } catch (IOException e) {
            warnings.add("cannot read .note.dlopen of " + obj.path() + ": " + e.getMessage());
            return;
        }
        for (ElfNote note : notes) {
            if (note.type() != ElfNote.FDO_DLOPEN_METADATA || !note.owner().equals("FDO")) continue;
            Object parsed;
            try {
                parsed = JsonValues.parse(note.descriptorText());
            } catch (JsonValues.SyntaxError e) {
                warnings.add("unreadable .note.dlopen JSON in " + obj.path() + ": " + e.getMessage());
                continue;
            }
            if (!(parsed instanceof List)) continue;
            for (Object item : (List<?>) parsed) {
                if (!(item instanceof Map)) continue;
                Map<?, ?> entry = (Map<?, ?>) item;
                String priority = entry.get("priority") instanceof String p ? p : null;
                boolean included;
                try {
                    included = options.dlopen().includes(priority);
                } catch (InitrdBuildException unknownPriority) {
                    included = options.dlopen() == ClosureOptions.DlopenPriority.SUGGESTED;
                }
                if (!included) continue;
                String feature = entry.get("feature") instanceof String f ? f : "?";
                List<?> sonames = entry.get("soname") instanceof List<?> names ? names : List.of();
                List<String> tried = new ArrayList<>();
                boolean found = false;
                for (Object so : sonames) {
                    if (!(so instanceof String name)) continue;
                    LibraryResolver.Lookup l = libraries.find(name, obj);
                    tried.add(name);
                    if (l.found()) {
                        enqueueLibrary(l, "dlopen (" + feature + ") of " + obj.path(), obj);
                        found = true;
                        break;
                    }
                }
                if (!found && !tried.isEmpty()) {
                    warnings.add("dlopen library for feature " + feature + " of " + obj.path() + " not found: "
                            + String.join(" or ", tried) + " (priority " + (priority == null ? "recommended" : priority) + ")");
                }
            }
        }
    }
}
