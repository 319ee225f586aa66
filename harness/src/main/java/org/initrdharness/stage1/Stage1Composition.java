package org.initrdharness.stage1;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.PlanEntry;

/**
 * What the systemd stage-1 recipe asks for, before any file is read: sysroot paths to copy with
 * their closure, entries it writes itself, and kernel modules, each tagged with its
 * {@link Component}. {@link Stage1Assembler} turns it into an {@code InitrdPlan}.
 *
 * @param wants     sysroot paths, copied to the same path in the initrd with their closure
 * @param generated units, configuration, symlinks and directories the recipe writes
 * @param modules   kernel module names, loaded by name at boot (modules-load.d)
 */
public record Stage1Composition(List<Want> wants, List<Item> generated, Set<String> modules) {

    /** A sysroot path the initrd needs at the same path, and why. */
    public record Want(InitrdPath path, Component component, String reason) {}

    /** An entry the recipe writes itself. */
    public record Item(Component component, PlanEntry entry) {}

    public Stage1Composition {
        wants = List.copyOf(wants);
        generated = List.copyOf(generated);
        modules = Collections.unmodifiableSet(new LinkedHashSet<>(modules));
    }

    /** The generated entry at {@code path}, if the recipe writes one there. */
    public Optional<PlanEntry> generatedAt(String path) {
        InitrdPath p = InitrdPath.of(path);
        return generated.stream().map(Item::entry).filter(e -> e.path().equals(p)).findFirst();
    }

    /** The text of a generated file, if there is one at {@code path}. */
    public Optional<String> text(String path) {
        return generatedAt(path).filter(e -> e instanceof PlanEntry.Generated)
                .map(e -> new String(((PlanEntry.Generated) e).content(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether a sysroot path is wanted. */
    public boolean wants(String path) {
        InitrdPath p = InitrdPath.of(path);
        return wants.stream().anyMatch(w -> w.path().equals(p));
    }

    /** Unit file names present, copied or generated, in any unit directory. */
    public Set<String> unitNames() {
        Set<String> names = new java.util.TreeSet<>();
        for (Want w : wants) if (isUnitPath(w.path())) names.add(w.path().fileName());
        for (Item i : generated) if (isUnitPath(i.entry().path())) names.add(i.entry().path().fileName());
        return names;
    }

    private static boolean isUnitPath(InitrdPath p) {
        String parent = p.parent().value();
        return parent.equals("/usr/lib/systemd/system") || parent.equals("/etc/systemd/system");
    }

    /** Collects wants and generated entries in order, keeping the first of duplicates. */
    static final class Collector {
        private final Map<InitrdPath, Want> wants = new LinkedHashMap<>();
        private final Map<InitrdPath, Item> generated = new LinkedHashMap<>();
        private final Set<String> modules = new LinkedHashSet<>();

        void want(Component c, String path, String reason) {
            wants.putIfAbsent(InitrdPath.of(path), new Want(InitrdPath.of(path), c, reason));
        }

        void put(Component c, PlanEntry e) {
            generated.put(e.path(), new Item(c, e));
        }

        void text(Component c, String path, String text, int mode, String reason) {
            put(c, PlanEntry.Generated.text(InitrdPath.of(path), text, mode, reason));
        }

        void link(Component c, String path, String target, String reason) {
            put(c, new PlanEntry.Symlink(InitrdPath.of(path), target, reason));
        }

        void dir(Component c, String path, int mode, String reason) {
            put(c, new PlanEntry.Directory(InitrdPath.of(path), mode, reason));
        }

        /** A unit file from the package unit directory. */
        void unit(Component c, String name, String why) {
            want(c, SystemdStage1.UNITS + name, "unit: " + why);
        }

        void units(Component c, String why, String... names) {
            for (String n : names) unit(c, n, why);
        }

        /** A .wants link in the package unit directory, as `systemctl enable` would make. */
        void wantedBy(Component c, String target, String unit) {
            link(c, SystemdStage1.UNITS + target + ".wants/" + unit, "../" + unit, unit + " wanted by " + target);
        }

        void module(String name) {
            modules.add(name);
        }

        Set<String> modules() {
            return modules;
        }

        Stage1Composition build() {
            return new Stage1Composition(new ArrayList<>(wants.values()), new ArrayList<>(generated.values()),
                    modules);
        }
    }
}
