package org.initrdharness.initrd.kmod;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.kmod.IncludedModule.Reason;

/**
 * One depth-first walk from the requested names: soft pre-dependencies, then dependencies, then
 * the module itself (then, if asked, its soft post-dependencies), so that the order of
 * inclusion is a load order.
 */
final class ClosureWalk {
    private final KernelModules kernel;
    private final boolean withPost;
    private final LinkedHashMap<String, IncludedModule> included = new LinkedHashMap<>();
    private final Set<String> inProgress = new HashSet<>();
    private final Set<String> builtinsSeen = new LinkedHashSet<>();
    private final List<String> warnings = new ArrayList<>();

    ClosureWalk(KernelModules kernel, boolean withPost) {
        this.kernel = kernel;
        this.withPost = withPost;
    }

    ModuleClosure run(List<String> names) {
        for (String asked : names) {
            String n = KernelModules.normalise(asked.trim());
            if (kernel.hasModule(n)) {
                visit(n, Reason.named(asked));
            } else if (kernel.isBuiltin(n)) {
                builtinsSeen.add(n);
            } else {
                // modprobe takes aliases too ("crc32c", "fs-ext4")
                List<String> modules = kernel.resolveAlias(asked);
                List<String> builtin = kernel.aliasTable().builtins(asked);
                if (modules.isEmpty() && builtin.isEmpty()) throw kernel.unknown(asked);
                builtinsSeen.addAll(builtin);
                for (String m : modules) visit(m, Reason.named(asked));
            }
        }
        return new ModuleClosure(kernel.version(), List.copyOf(included.values()), List.copyOf(builtinsSeen),
                firmware(), warnings);
    }

    private void visit(String name, Reason reason) {
        if (included.containsKey(name) || !inProgress.add(name)) return;
        ModuleInfo info = kernel.info(name);
        for (String pre : info.softdepsPre()) {
            for (String m : softTargets(pre, name, "pre")) visit(m, new Reason(Reason.Kind.SOFTDEP_PRE, name));
        }
        for (String dep : info.depends()) {
            if (kernel.hasModule(dep)) {
                visit(dep, new Reason(Reason.Kind.DEPENDENCY, name));
            } else if (kernel.isBuiltin(dep)) {
                builtinsSeen.add(dep);
            } else {
                throw new InitrdBuildException("module " + name + " (" + info.file() + ") depends on " + dep
                        + ", which is neither a module file under " + kernel.moduleDir()
                        + " nor listed in modules.builtin; the kernel package is incomplete");
            }
        }
        inProgress.remove(name);
        included.put(name, new IncludedModule(info, reason));
        if (withPost) {
            for (String post : info.softdepsPost()) {
                for (String m : softTargets(post, name, "post")) visit(m, new Reason(Reason.Kind.SOFTDEP_POST, name));
            }
        }
    }

    /** A soft dependency names a module or an alias; modprobe loads every module the alias matches. */
    private List<String> softTargets(String target, String of, String kind) {
        String n = KernelModules.normalise(target);
        if (kernel.hasModule(n)) return List.of(n);
        if (kernel.isBuiltin(n)) {
            builtinsSeen.add(n);
            return List.of();
        }
        List<String> modules = kernel.resolveAlias(target);
        List<String> builtin = kernel.aliasTable().builtins(target);
        builtinsSeen.addAll(builtin);
        if (modules.isEmpty() && builtin.isEmpty()) {
            warnings.add("soft " + kind + "-dependency " + target + " of module " + of
                    + " matches no module and nothing built in; left out");
        }
        return modules;
    }

    private List<FirmwareFile> firmware() {
        List<FirmwareFile> found = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        Optional<Path> dir = kernel.firmwareDir();
        for (IncludedModule m : included.values()) {
            for (String fw : m.info().firmware()) {
                Optional<FirmwareFile> f = dir.flatMap(d -> find(d, fw, m.name()));
                if (f.isPresent()) {
                    if (paths.add(f.get().relativePath())) found.add(f.get());
                } else {
                    warnings.add("firmware " + fw + " of module " + m.name() + " not found"
                            + dir.map(d -> " under " + d).orElse(" (no firmware directory given)")
                            + "; the module loads but the device may not work without it");
                }
            }
        }
        return found;
    }

    /** Where the kernel's loader looks: updates/&lt;release&gt;, updates, &lt;release&gt;, then the top. */
    private Optional<FirmwareFile> find(Path firmwareDir, String name, String module) {
        String release = kernel.version();
        for (String sub : List.of("updates/" + release + "/", "updates/", release + "/", "")) {
            for (String ext : List.of("", ".zst", ".xz")) {
                String rel = sub + name + ext;
                Path p = firmwareDir.resolve(rel).normalize();
                if (p.startsWith(firmwareDir) && Files.isRegularFile(p)) {
                    return Optional.of(new FirmwareFile(name, rel, p, module));
                }
            }
        }
        return Optional.empty();
    }
}
