package org.initrdharness.stage1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.Closure;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.initrd.Sysroot;
import org.initrdharness.initrd.kmod.KernelModules;
import org.initrdharness.initrd.kmod.ModuleClosure;
import org.initrdharness.initrd.kmod.ModuleLayout;
import org.initrdharness.vm.Arch;

/**
 * Turns a {@link Stage1Composition} into a plan: generated entries as they are, wanted sysroot
 * paths through a {@link Closure} (link chains, ELF interpreter and libraries), kernel modules
 * through {@link KernelModules} with index files for exactly the modules included. Components
 * are added one at a time so that each file is attributed to the component that first needed it.
 */
public final class Stage1Assembler {
    private Stage1Assembler() {}

    /**
     * Composes and assembles a systemd stage 1 in one call.
     *
     * @param sysroot    a root holding systemd (252 to 257) and the packages the options need
     * @param modulesDir {@code <root>/lib/modules/<version>} of the kernel to boot
     */
    public static Stage1Image build(Arch arch, Stage1Options options, Path sysroot, Path modulesDir)
            throws IOException {
        return assemble(SystemdStage1.compose(arch, options, sysroot), sysroot, modulesDir);
    }

    /** Assembles an already composed stage 1 from {@code sysroot} and {@code modulesDir}. */
    public static Stage1Image assemble(Stage1Composition comp, Path sysroot, Path modulesDir) throws IOException {
        InitrdPlan.Builder builder = InitrdPlan.builder();
        Closure closure = new Closure(new Sysroot(sysroot), builder);
        Map<InitrdPath, Component> owner = new HashMap<>();
        // Merged-/usr links and mount points first, so that closures land under /usr.
        for (Stage1Composition.Item i : comp.generated()) {
            if (i.entry() instanceof PlanEntry.Directory || isTopLink(i.entry())) add(builder, i, owner);
        }
        for (Component c : Component.values()) {
            for (Stage1Composition.Want w : comp.wants()) {
                if (w.component() != c) continue;
                try {
                    boolean added = true;
                    if (w.optional()) added = closure.addIfExists(w.path(), c.id() + ": " + w.reason());
                    else closure.add(w.path(), c.id() + ": " + w.reason());
                    if (added && isUnit(w.path())) addPrograms(closure, w.path(), c);
                } catch (InitrdBuildException e) {
                    throw new InitrdBuildException("systemd stage 1 (" + c.id() + "): " + w.path() + " ("
                            + w.reason() + ") cannot be added from sysroot " + sysroot + ": " + e.getMessage()
                            + hint(c), e);
                }
            }
            for (Stage1Composition.Dlopen d : comp.dlopen()) {
                if (d.component() == c) closure.addDlopenFeature(d.feature(), c.id() + ": " + d.reason());
            }
            for (Stage1Composition.Item i : comp.generated()) {
                if (i.component() == c && !owner.containsKey(i.entry().path())) add(builder, i, owner);
            }
            if (c == Component.MODULES) addModules(comp, modulesDir, builder);
            attribute(builder, owner, c);
        }
        String version = modulesDir.getFileName().toString();
        return new Stage1Image(builder.build(), owner, version, closure.warnings());
    }

    private static boolean isUnit(InitrdPath p) {
        String n = p.fileName();
        return p.parent().value().equals("/usr/lib/systemd/system")
                && (n.endsWith(".service") || n.endsWith(".socket") || n.endsWith(".mount"));
    }

    /** What the unit at {@code unit} runs (see {@link UnitExecutables}), from the sysroot's copy of it. */
    private static void addPrograms(Closure closure, InitrdPath unit, Component c) throws IOException {
        java.util.Optional<Path> file = closure.sysroot().find(unit);
        if (file.isEmpty()) return;
        String text = java.nio.file.Files.readString(file.get(), java.nio.charset.StandardCharsets.UTF_8);
        for (UnitExecutables.Program p : UnitExecutables.of(text)) {
            String reason = c.id() + ": run by " + unit.fileName() + " (" + p.line() + ")";
            if (p.absolute()) closure.add(InitrdPath.of(p.name()), reason);
            else closure.addExecutable(p.name(), reason);
        }
    }

    private static boolean isTopLink(PlanEntry e) {
        return e instanceof PlanEntry.Symlink && e.path().parent().isRoot() && !e.path().value().equals("/init");
    }

    private static void add(InitrdPlan.Builder b, Stage1Composition.Item i, Map<InitrdPath, Component> owner) {
        b.add(i.entry());
        owner.putIfAbsent(i.entry().path(), i.component());
    }

    private static void addModules(Stage1Composition comp, Path modulesDir, InitrdPlan.Builder builder)
            throws IOException {
        List<String> names = new ArrayList<>(comp.modules());
        KernelModules kmods = KernelModules.open(modulesDir);
        ModuleClosure mc = kmods.closure(names);
        // With /lib a link to usr/lib, modules must go under /usr/lib/modules.
        boolean merged = builder.get(InitrdPath.of("/lib")).filter(e -> e instanceof PlanEntry.Symlink).isPresent();
        ModuleLayout layout = merged ? ModuleLayout.usrLib(kmods.version()) : ModuleLayout.lib(kmods.version());
        kmods.addTo(builder, mc, layout);
    }

    /** Everything new in the plan since the last component belongs to {@code c}. */
    private static void attribute(InitrdPlan.Builder builder, Map<InitrdPath, Component> owner, Component c) {
        for (PlanEntry e : builder.build().entries()) owner.putIfAbsent(e.path(), c);
    }

    private static String hint(Component c) {
        return switch (c) {
            case PLYMOUTH -> "; add package plymouth to the sysroot or set option \"plymouth\": false";
            case CRYPTSETUP -> "; add packages cryptsetup-bin, dmsetup to the sysroot or set option \"cryptsetup\": false";
            case LVM -> "; add package lvm2 to the sysroot or set option \"lvm\": false";
            case MDRAID -> "; add package mdadm to the sysroot or set option \"mdraid\": false";
            case BTRFS -> "; add package btrfs-progs to the sysroot or set option \"btrfs\": false";
            case TPM2 -> "; add packages libtss2-esys, -rc, -mu and -tcti-device (and systemd-cryptsetup from systemd 256)"
                    + " to the sysroot or drop option \"tpm2\"";
            case FSCK -> "; add packages util-linux, e2fsprogs to the sysroot or set option \"fsck\": false";
            case NETWORK -> "; systemd-networkd is in package systemd, or drop option \"network\"";
            case SHELL -> "; add package busybox-static (or bash with \"hookShell\": \"bash\") to the sysroot";
            case USER -> "; check options binaries and wants";
            default -> "; the sysroot needs packages systemd, udev, kmod, util-linux, mount";
        };
    }
}
