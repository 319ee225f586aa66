package org.initrdharness.initrd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.elf.ElfFormatException;

/**
 * Finds shared libraries inside a sysroot the way glibc's ld.so does for DT_NEEDED: DT_RPATH of
 * the object and its loaders (only when the object has no DT_RUNPATH), then DT_RUNPATH, then the
 * ld.so.conf directories, then the multiarch and default directories; {@code $ORIGIN},
 * {@code $LIB} and {@code $PLATFORM} expanded; candidates of another ELF class, byte order or
 * machine skipped, as ld.so skips them. ELF headers are parsed once per file and kept.
 */
public final class LibraryResolver {
    private final Sysroot sysroot;
    private final Map<String, Optional<ElfFile>> elfs = new ConcurrentHashMap<>();
    private final Map<String, String> elfProblems = new ConcurrentHashMap<>();
    /** Search directory (as written) to its names; null value spelled as an empty set. */
    private final Map<String, Set<String>> dirNames = new ConcurrentHashMap<>();
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();
    private volatile List<InitrdPath> confDirs;

    /**
     * An ELF object as ld.so would have loaded it: {@code path} is the name it was loaded under
     * ($ORIGIN is its directory), {@code loader} the object whose DT_NEEDED brought it in (null for
     * the executable or anything added directly).
     */
    public record Loaded(InitrdPath path, ElfFile elf, Loaded loader) {
        /** "libbar.so needed by /usr/lib/x/libbar.so needed by /usr/bin/baz" style chain, from this object up. */
        public String chain() {
            StringBuilder b = new StringBuilder(path.value());
            for (Loaded l = loader; l != null; l = l.loader) b.append(" needed by ").append(l.path);
            return b.toString();
        }
    }

    /** Which part of the search found a library. */
    public enum Via {
        /** DT_RPATH or DT_RUNPATH of the object or its loaders. */
        OBJECT_PATH,
        /** A directory only /etc/ld.so.conf names: ld.so finds it at run time through /etc/ld.so.cache. */
        LD_SO_CONF,
        /** A multiarch or default directory, searched without any cache. */
        DEFAULT,
        NOT_FOUND
    }

    /**
     * The outcome of one search: where {@code name} was found (null if nowhere), which part of
     * the search found it, and every place tried.
     */
    public record Lookup(String name, InitrdPath path, ElfFile elf, Via via, List<String> searched) {
        public boolean found() {
            return path != null;
        }
    }

    public LibraryResolver(Sysroot sysroot) {
        this.sysroot = sysroot;
    }

    public Sysroot sysroot() {
        return sysroot;
    }

    /**
     * The ELF headers of the regular file at {@code resolved} (a path without symlinks, see
     * {@link Sysroot#resolve}), parsed once; empty when it is not ELF or not readable as ELF
     * (then {@link #elfProblem} says why).
     */
    public Optional<ElfFile> elf(InitrdPath resolved) {
        Optional<ElfFile> e = elfs.get(resolved.value());
        if (e == null) {
            e = readElf(resolved);
            elfs.put(resolved.value(), e);
        }
        return e;
    }

    /** Why a file with the ELF magic could not be parsed, if it could not. */
    public Optional<String> elfProblem(InitrdPath resolved) {
        return Optional.ofNullable(elfProblems.get(resolved.value()));
    }

    private Optional<ElfFile> readElf(InitrdPath resolved) {
        Sysroot.Node n = sysroot.lstat(resolved);
        if (n.kind() != Sysroot.Kind.FILE || n.size() < 52) return Optional.empty();
        try {
            return ElfFile.readIfElf(sysroot.hostPath(resolved));
        } catch (ElfFormatException e) {
            elfProblems.put(resolved.value(), e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directories of /etc/ld.so.conf and its includes in this sysroot, read once. */
    public List<InitrdPath> ldSoConfDirectories() {
        List<InitrdPath> d = confDirs;
        if (d == null) {
            d = LdSoConf.directories(sysroot);
            confDirs = d;
        }
        return d;
    }

    /** Looks up DT_NEEDED {@code name} of {@code requester} as ld.so would. */
    public Lookup find(String name, Loaded requester) {
        ElfFile elf = requester.elf();
        Set<String> dirs = new LinkedHashSet<>();
        if (elf.runpath().isEmpty()) {
            for (Loaded l = requester; l != null; l = l.loader()) {
                if (l.elf().rpath().isPresent()) dirs.addAll(expand(l.elf().rpath().get(), l));
            }
        } else {
            dirs.addAll(expand(elf.runpath().get(), requester));
        }
        return search(name, elf, dirs);
    }

    /**
     * Looks up {@code name} in the system directories only (ld.so.conf, multiarch, defaults), for
     * libraries loaded with dlopen by name: NSS modules, libgcc_s. {@code model} gives the class and
     * machine a candidate must have.
     */
    public Lookup findSystemLibrary(String name, ElfFile model) {
        return search(name, model, new LinkedHashSet<>());
    }

    private Lookup search(String name, ElfFile model, Set<String> dirs) {
        // Most objects have no RPATH or RUNPATH: the answer for libc.so.6 is then the same for all.
        String key = name + '\0' + model.elfClass() + model.byteOrder() + model.machine() + '\0' + String.join(":", dirs);
        Lookup cached = lookups.get(key);
        if (cached != null) return cached;
        int own = dirs.size();
        for (InitrdPath d : ldSoConfDirectories()) dirs.add(d.value());
        List<String> defaults = defaultDirectories(model);
        dirs.addAll(defaults);
        Lookup l = searchDirectories(name, model, dirs, own, defaults);
        lookups.put(key, l);
        return l;
    }

    private Set<String> namesIn(String dir) {
        Set<String> n = dirNames.get(dir);
        if (n == null) {
            Sysroot.Resolution r = sysroot.resolve(InitrdPath.of(dir));
            n = r.found() ? sysroot.names(r.resolved()) : Set.of();
            dirNames.put(dir, n);
        }
        return n;
    }

    private Lookup searchDirectories(String name, ElfFile model, Set<String> dirs, int own, List<String> defaults) {
        List<String> searched = new ArrayList<>();
        int index = -1;
        for (String dir : dirs) {
            index++;
            if (!namesIn(dir).contains(name)) {
                searched.add(dir);
                continue;
            }
            InitrdPath candidate = InitrdPath.of(dir).resolve(name);
            Sysroot.Resolution r = sysroot.resolve(candidate);
            if (!r.found()) {
                searched.add(dir + " (" + candidate + ": " + r.describeFailure() + ")");
                continue;
            }
            if (r.node().kind() != Sysroot.Kind.FILE) {
                searched.add(dir + " (" + candidate + " is not a file)");
                continue;
            }
            Optional<ElfFile> e = elf(r.resolved());
            if (e.isEmpty()) {
                searched.add(dir + " (" + candidate + " is not ELF)");
                continue;
            }
            if (!e.get().compatibleWith(model)) {
                searched.add(dir + " (" + candidate + " skipped: " + describe(e.get()) + ", need " + describe(model) + ")");
                continue;
            }
            Via via = index < own ? Via.OBJECT_PATH : defaults.contains(dir) ? Via.DEFAULT : Via.LD_SO_CONF;
            return new Lookup(name, candidate, e.get(), via, searched);
        }
        return new Lookup(name, null, null, Via.NOT_FOUND, searched);
    }

    private static String describe(ElfFile e) {
        return "ELF" + e.elfClass() + (e.byteOrder() == ByteOrder.BIG_ENDIAN ? " big-endian" : "")
                + " machine " + e.machine();
    }

    /** The multiarch directories, then /lib64 and /usr/lib64 for 64-bit objects, then /lib and /usr/lib. */
    public static List<String> defaultDirectories(ElfFile model) {
        List<String> out = new ArrayList<>();
        for (String t : triplets(model)) {
            out.add("/lib/" + t);
            out.add("/usr/lib/" + t);
        }
        if (model.is64Bit()) {
            out.add("/lib64");
            out.add("/usr/lib64");
        } else {
            out.add("/lib32");
            out.add("/usr/lib32");
        }
        out.add("/lib");
        out.add("/usr/lib");
        return out;
    }

    /** Debian multiarch triplets for an ELF class and machine. */
    static List<String> triplets(ElfFile e) {
        boolean le = e.byteOrder() == ByteOrder.LITTLE_ENDIAN;
        switch (e.machine()) {
            case ElfFile.EM_X86_64: return List.of(e.is64Bit() ? "x86_64-linux-gnu" : "x86_64-linux-gnux32");
            case ElfFile.EM_AARCH64: return List.of(le ? "aarch64-linux-gnu" : "aarch64_be-linux-gnu");
            case ElfFile.EM_386: return List.of("i386-linux-gnu");
            case ElfFile.EM_ARM: return List.of("arm-linux-gnueabihf", "arm-linux-gnueabi");
            case ElfFile.EM_RISCV: return List.of(e.is64Bit() ? "riscv64-linux-gnu" : "riscv32-linux-gnu");
            case 21: return List.of(le ? "powerpc64le-linux-gnu" : "powerpc64-linux-gnu");
            case 20: return List.of("powerpc-linux-gnu");
            case 22: return List.of("s390x-linux-gnu");
            case 8: return List.of(le ? (e.is64Bit() ? "mips64el-linux-gnuabi64" : "mipsel-linux-gnu")
                    : (e.is64Bit() ? "mips64-linux-gnuabi64" : "mips-linux-gnu"));
            case 258: return List.of("loongarch64-linux-gnu");
            default: return List.of();
        }
    }

    /** $PLATFORM as ld.so sets it from AT_PLATFORM. */
    static List<String> platforms(ElfFile e) {
        switch (e.machine()) {
            case ElfFile.EM_X86_64: return List.of("x86_64");
            case ElfFile.EM_AARCH64: return List.of("aarch64");
            case ElfFile.EM_386: return List.of("i686", "i586", "i486", "i386");
            case ElfFile.EM_ARM: return List.of("v7l", "v8l");
            default: return List.of();
        }
    }

    /** $LIB: Debian's ld.so says lib/&lt;triplet&gt;, others lib64 or lib; every spelling is tried. */
    static List<String> libs(ElfFile e) {
        List<String> out = new ArrayList<>();
        for (String t : triplets(e)) out.add("lib/" + t);
        out.add(e.is64Bit() ? "lib64" : "lib32");
        out.add("lib");
        return out;
    }

    /** Splits a colon-separated RPATH/RUNPATH and expands its tokens; relative results are dropped, as ld.so drops them for initrd use. */
    List<String> expand(String path, Loaded owner) {
        List<String> out = new ArrayList<>();
        for (String entry : path.split(":")) {
            if (entry.isEmpty()) continue;
            List<String> variants = List.of(entry);
            variants = substitute(variants, "ORIGIN", List.of(owner.path().parent().value()));
            variants = substitute(variants, "LIB", libs(owner.elf()));
            variants = substitute(variants, "PLATFORM", platforms(owner.elf()));
            for (String v : variants) {
                if (v.startsWith("/")) out.add(InitrdPath.of(v).value());
            }
        }
        return out;
    }

    private static List<String> substitute(List<String> in, String token, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String s : in) {
            if (s.indexOf('$') < 0 || (!s.contains("$" + token) && !s.contains("${" + token + "}"))) {
                out.add(s);
                continue;
            }
            for (String v : values) {
                out.add(replaceToken(s, token, v));
            }
        }
        return out;
    }

    private static String replaceToken(String s, String token, String value) {
        String r = s.replace("${" + token + "}", value);
        // $ORIGIN but not $ORIGINAL: the token ends at a non-identifier character.
        StringBuilder b = new StringBuilder();
        int i = 0;
        String t = "$" + token;
        while (i < r.length()) {
            int j = r.indexOf(t, i);
            if (j < 0) {
                b.append(r, i, r.length());
                break;
            }
            int end = j + t.length();
            boolean whole = end == r.length() || !(Character.isLetterOrDigit(r.charAt(end)) || r.charAt(end) == '_');
            b.append(r, i, j).append(whole ? value : t);
            i = end;
        }
        return b.toString();
    }
}
