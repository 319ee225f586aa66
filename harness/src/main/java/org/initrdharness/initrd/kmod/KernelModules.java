package org.initrdharness.initrd.kmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;

/**
 * The kernel modules of one kernel, as unpacked from its package: a directory
 * {@code <root>/lib/modules/<version>} (or {@code usr/lib/modules/<version>}) holding the module
 * files, modules.builtin, modules.order and modules.builtin.modinfo, but no modules.dep (depmod
 * never ran). Dependencies come from each module's own {@code .modinfo}; the index files
 * modprobe and udev need are generated for just the modules an initrd gets.
 *
 * <pre>{@code
 * KernelModules kernel = KernelModules.open(root.resolve("lib/modules/6.1.0-56-amd64"));
 * ModuleClosure closure = kernel.closure(List.of("virtio_blk", "ext4", "dm_crypt"));
 * kernel.addTo(plan, closure);
 * }</pre>
 */
public final class KernelModules {
    private static final List<String> EXTENSIONS = List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz");

    private final Path moduleDir;
    private final String version;
    private final Path firmwareDir;
    private final ModuleLayout defaultLayout;
    /** normalised name -> path relative to moduleDir ("kernel/fs/ext4/ext4.ko"). */
    private final Map<String, String> files;
    private final Set<String> builtins;
    private final Map<String, Integer> order;
    private final Map<String, Modinfo> builtinModinfo;
    private final Map<String, ModuleInfo> infoCache = new ConcurrentHashMap<>();
    /** Digest of every module file's path, size and mtime: names a cached alias table. */
    private final String fingerprint;
    private volatile AliasTable aliasTable;

    private KernelModules(Path moduleDir, Path firmwareDir, ModuleLayout defaultLayout, Map<String, String> files,
            Set<String> builtins, Map<String, Integer> order, Map<String, Modinfo> builtinModinfo, String fingerprint) {
        this.moduleDir = moduleDir;
        this.version = moduleDir.getFileName().toString();
        this.firmwareDir = firmwareDir;
        this.defaultLayout = defaultLayout;
        this.files = files;
        this.builtins = builtins;
        this.order = order;
        this.builtinModinfo = builtinModinfo;
        this.fingerprint = fingerprint;
    }

    /**
     * Indexes the modules under {@code moduleDir}. The firmware directory is
     * {@code <root>/lib/firmware} (or {@code <root>/usr/lib/firmware}) when it exists.
     */
    public static KernelModules open(Path moduleDir) throws IOException {
        return open(moduleDir, null);
    }

    /**
     * Indexes the modules under {@code moduleDir}, looking firmware up under {@code firmwareDir}
     * (null: the tree's own lib/firmware when there is one, else none).
     */
    public static KernelModules open(Path moduleDir, Path firmwareDir) throws IOException {
        if (!Files.isDirectory(moduleDir)) {
            throw new InitrdBuildException("kernel module directory " + moduleDir
                    + " does not exist; pass <root>/lib/modules/<version> of an unpacked kernel package");
        }
        moduleDir = moduleDir.toAbsolutePath().normalize();
        Path root = treeRoot(moduleDir);
        String version = moduleDir.getFileName().toString();
        boolean usr = root != null && usesUsrLib(root, moduleDir);
        ModuleLayout layout = usr ? ModuleLayout.usrLib(version) : ModuleLayout.lib(version);
        if (firmwareDir == null && root != null) {
            for (String candidate : List.of("lib/firmware", "usr/lib/firmware")) {
                if (Files.isDirectory(root.resolve(candidate))) {
                    firmwareDir = root.resolve(candidate);
                    break;
                }
            }
        }
        Map<String, String> files = new TreeMap<>();
        TreeFingerprint treeDigest = new TreeFingerprint();
        Path dir = moduleDir;
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, java.nio.file.attribute.BasicFileAttributes attrs) {
                String fileName = p.getFileName().toString();
                String ext = extensionOf(fileName);
                if (ext != null && attrs.isRegularFile()) {
                    String name = normalise(fileName.substring(0, fileName.length() - ext.length()));
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    files.merge(name, rel, KernelModules::preferred);
                    treeDigest.update(TreeFingerprint.line(rel, attrs.size(), attrs.lastModifiedTime().toMillis()));
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        String fingerprint = treeDigest.value();
        Map<String, Integer> order = new HashMap<>();
        int i = 0;
        for (String line : readLines(moduleDir.resolve("modules.order"))) {
            String name = moduleName(line);
            if (name != null) order.putIfAbsent(name, i++);
        }
        Set<String> builtins = new LinkedHashSet<>();
        for (String line : readLines(moduleDir.resolve("modules.builtin"))) {
            String name = moduleName(line);
            if (name != null) builtins.add(name);
        }
        Path builtinInfo = moduleDir.resolve("modules.builtin.modinfo");
        Map<String, Modinfo> builtinModinfo = Files.isRegularFile(builtinInfo)
                ? Modinfo.parseBuiltin(ByteBuffer.wrap(Files.readAllBytes(builtinInfo)))
                : Map.of();
        return new KernelModules(moduleDir, firmwareDir, layout, files, builtins, order, builtinModinfo, fingerprint);
    }

    /** The kernel release the modules are for: the module directory's name. */
    public String version() {
        return version;
    }

    public Path moduleDir() {
        return moduleDir;
    }

    /** Where firmware is looked up, if anywhere. */
    public Optional<Path> firmwareDir() {
        return Optional.ofNullable(firmwareDir);
    }

    /** The same relative location inside the initrd as in the tree the modules came from. */
    public ModuleLayout defaultLayout() {
        return defaultLayout;
    }

    /** Names of all modules found as files, normalised, sorted. */
    public Set<String> moduleNames() {
        return java.util.Collections.unmodifiableSet(files.keySet());
    }

    /** Names listed in modules.builtin, normalised. */
    public Set<String> builtinNames() {
        return java.util.Collections.unmodifiableSet(builtins);
    }

    public boolean isBuiltin(String name) {
        return builtins.contains(normalise(name));
    }

    /** The module file for {@code name} ("dm-crypt" and "dm_crypt" alike), if there is one. */
    public Optional<Path> find(String name) {
        String rel = files.get(normalise(name));
        return rel == null ? Optional.empty() : Optional.of(moduleDir.resolve(rel));
    }

    /** The {@code .modinfo} of module {@code name}; read once and kept. */
    public ModuleInfo info(String name) {
        String n = normalise(name);
        String rel = files.get(n);
        if (rel == null) {
            throw unknown(name);
        }
        return infoCache.computeIfAbsent(n, k -> {
            try {
                return ModuleInfo.of(k, rel, moduleDir.resolve(rel), ModuleFile.modinfo(moduleDir.resolve(rel)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Module names whose aliases match {@code alias} ("crypto-crc32c", "virtio:d00000002v00001AF4"). */
    public List<String> resolveAlias(String alias) {
        return aliasTable().modules(alias);
    }

    /** Modules for {@code names} with their dependencies and soft pre-dependencies. */
    public ModuleClosure closure(List<String> names) {
        return closure(names, false);
    }

    /**
     * Modules for {@code names} (module names, or aliases as modprobe takes them), with their
     * dependencies and soft pre-dependencies, and soft post-dependencies when
     * {@code withSoftdepPost}. Built-in names are reported, not added.
     *
     * @throws InitrdBuildException naming a name that is neither a module, built in, nor an alias
     */
    public ModuleClosure closure(List<String> names, boolean withSoftdepPost) {
        return new ClosureWalk(this, withSoftdepPost).run(names);
    }

    /**
     * Adds the closure at {@link #defaultLayout()}, moved under /usr when the plan already makes
     * /lib a link (a merged-/usr initrd, where /lib/modules is reached through the link).
     */
    public void addTo(InitrdPlan.Builder plan, ModuleClosure closure) {
        addTo(plan, closure, defaultLayout.mergedUsr(plan));
    }

    /**
     * Adds the closure's module files at their paths under {@code layout.moduleDir()}, its
     * firmware under {@code layout.firmwareDir()}, and index files generated for exactly the
     * included modules (modules.dep, .alias, .softdep, .symbols, .builtin, .devname and their
     * .bin forms) so that modprobe and udev's modalias loading work in the guest.
     */
    public void addTo(InitrdPlan.Builder plan, ModuleClosure closure, ModuleLayout layout) {
        if (!closure.kernelVersion().equals(version)) {
            throw new InitrdBuildException("module closure is for kernel " + closure.kernelVersion()
                    + " but " + moduleDir + " is " + version + "; compute the closure from the same KernelModules");
        }
        for (IncludedModule m : closure.modules()) {
            plan.add(new PlanEntry.RegularFile(layout.moduleDir().resolve(m.info().relativePath()), m.info().file(),
                    0644, "kernel module, " + m.reason()));
        }
        for (FirmwareFile f : closure.firmware()) {
            plan.add(new PlanEntry.RegularFile(layout.firmwareDir().resolve(f.relativePath()), f.source(), 0644,
                    "firmware of " + f.module()));
        }
        for (String shipped : List.of("modules.builtin", "modules.builtin.modinfo")) {
            Path p = moduleDir.resolve(shipped);
            if (Files.isRegularFile(p)) {
                plan.add(new PlanEntry.RegularFile(layout.moduleDir().resolve(shipped), p, 0644,
                        "shipped with kernel " + version));
            }
        }
        indexFiles(closure).forEach((file, bytes) -> plan.add(new PlanEntry.Generated(
                layout.moduleDir().resolve(file), bytes, 0644, "module index for " + closure.modules().size()
                        + " modules of " + version)));
    }

    /**
     * The index files for exactly the closure's modules, by file name (modules.dep,
     * modules.dep.bin, modules.alias, ...), as depmod would write them for a tree holding only
     * those modules.
     */
    public Map<String, byte[]> indexFiles(ModuleClosure closure) {
        List<ModuleInfo> included = closure.modules().stream().map(IncludedModule::info)
                .sorted(Comparator.comparingInt((ModuleInfo m) -> order.getOrDefault(m.name(), Integer.MAX_VALUE))
                        .thenComparing(ModuleInfo::name))
                .toList();
        Map<String, List<String>> symbols = new LinkedHashMap<>();
        for (ModuleInfo m : included) symbols.put(m.name(), ModuleFile.exportedSymbols(m.file()));
        byte[] builtinList = readOrEmpty(moduleDir.resolve("modules.builtin"));
        return new IndexFiles(included, closure.names(), symbols, builtinList, builtinModinfo).generate();
    }

    /** "dm-crypt" -> "dm_crypt": module names compare with dashes as underscores. */
    public static String normalise(String name) {
        return name.replace('-', '_');
    }

    // --- aliases of every module: read on first need ---

    AliasTable aliasTable() {
        AliasTable t = aliasTable;
        if (t == null) {
            synchronized (this) {
                t = aliasTable;
                if (t == null) {
                    t = AliasTable.load(this);
                    aliasTable = t;
                }
            }
        }
        return t;
    }

    /** depmod's alias_normalize: '-' becomes '_' except inside [...]; null for an unmatched bracket. */
    static String normaliseAlias(String alias) {
        StringBuilder b = new StringBuilder(alias.length());
        for (int i = 0; i < alias.length(); i++) {
            char c = alias.charAt(i);
            if (c == '-') {
                b.append('_');
            } else if (c == ']') {
                return null;
            } else if (c == '[') {
                int close = alias.indexOf(']', i);
                if (close < 0) return null;
                b.append(alias, i, close + 1);
                i = close;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // --- helpers ---

    /** Module names in modules.order order, then by name: the priority order of kmod's indexes. */
    List<String> namesInOrder() {
        return files.keySet().stream()
                .sorted(Comparator.comparingInt((String n) -> order.getOrDefault(n, Integer.MAX_VALUE))
                        .thenComparing(n -> n))
                .toList();
    }

    String fingerprint() {
        return fingerprint;
    }

    Map<String, Modinfo> builtinModinfo() {
        return builtinModinfo;
    }

    boolean hasModule(String normalisedName) {
        return files.containsKey(normalisedName);
    }

    private static String extensionOf(String fileName) {
        for (String ext : EXTENSIONS) {
            if (fileName.endsWith(ext) && fileName.length() > ext.length()) return ext;
        }
        return null;
    }

    /** A module found twice: depmod prefers updates/, then the first in path order. */
    private static String preferred(String a, String b) {
        boolean ua = a.startsWith("updates/");
        boolean ub = b.startsWith("updates/");
        if (ua != ub) return ua ? a : b;
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** "kernel/fs/ext4/ext4.ko" -> "ext4"; null for a blank line. */
    static String moduleName(String line) {
        String l = line.trim();
        if (l.isEmpty() || l.startsWith("#")) return null;
        String base = l.substring(l.lastIndexOf('/') + 1);
        int dot = base.indexOf('.');
        return normalise(dot < 0 ? base : base.substring(0, dot));
    }

    private static List<String> readLines(Path p) throws IOException {
        return Files.isRegularFile(p) ? Files.readAllLines(p, StandardCharsets.UTF_8) : List.of();
    }

    private static byte[] readOrEmpty(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <root>} of {@code <root>/lib/modules/<v>} or {@code <root>/usr/lib/modules/<v>}; null otherwise. */
    private static Path treeRoot(Path moduleDir) {
        Path modules = moduleDir.getParent();
        if (modules == null || !"modules".equals(name(modules))) return null;
        Path lib = modules.getParent();
        if (lib == null || !"lib".equals(name(lib))) return null;
        Path above = lib.getParent();
        if (above != null && "usr".equals(name(above)) && above.getParent() != null) return above.getParent();
        return above;
    }

    /** Modules live under usr/lib when the path says so or when lib is the merged-/usr link. */
    private static boolean usesUsrLib(Path root, Path moduleDir) {
        if (moduleDir.startsWith(root.resolve("usr"))) return true;
        Path lib = root.resolve("lib");
        try {
            return Files.isSymbolicLink(lib) && Files.readSymbolicLink(lib).normalize().toString()
                    .replaceFirst("^/", "").equals("usr/lib");
        } catch (IOException e) {
            return false;
        }
    }

    private static String name(Path p) {
        Path f = p.getFileName();
        return f == null ? "" : f.toString();
    }

    InitrdBuildException unknown(String asked) {
        List<String> candidates = new ArrayList<>(files.keySet());
        candidates.addAll(builtins);
        List<String> close = CloseNames.to(normalise(asked), candidates, 5);
        return new InitrdBuildException("unknown kernel module '" + asked + "': no such module file under "
                + moduleDir + ", not in modules.builtin and not an alias of any module"
                + (close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?"));
    }
}
