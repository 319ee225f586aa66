package org.initrdharness.initrd.kmod;

import java.util.List;
import java.util.Optional;

/**
 * The modules an initrd needs for some requested names, in load order (every module after its
 * dependencies and soft pre-dependencies).
 *
 * @param kernelVersion the module directory's name ("6.1.0-56-amd64")
 * @param modules       modules to include, in load order, each with why it came in
 * @param builtins      requested or needed names that are built into the kernel: nothing to add
 * @param firmware      firmware files found for the included modules
 * @param warnings      what is missing but not fatal (firmware, unresolvable soft dependencies)
 */
public record ModuleClosure(String kernelVersion, List<IncludedModule> modules, List<String> builtins,
        List<FirmwareFile> firmware, List<String> warnings) {
    public ModuleClosure {
        modules = List.copyOf(modules);
        builtins = List.copyOf(builtins);
        firmware = List.copyOf(firmware);
        warnings = List.copyOf(warnings);
    }

    /** Module names in load order. */
    public List<String> names() {
        return modules.stream().map(IncludedModule::name).toList();
    }

    public Optional<IncludedModule> find(String name) {
        String n = KernelModules.normalise(name);
        return modules.stream().filter(m -> m.name().equals(n)).findFirst();
    }
}
