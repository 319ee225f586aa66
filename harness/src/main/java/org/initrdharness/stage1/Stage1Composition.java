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
 * @param dlopen    features of systemd's {@code .note.dlopen} metadata whose libraries a part needs
 */
public record Stage1Composition(List<Want> wants, List<Item> generated, Set<String> modules, List<Dlopen> dlopen) {

    /**
     * A sysroot path the initrd needs at the same path, and why. An optional one is copied when
     * the sysroot has it: a file one systemd release needs and another does not have.
     */
    public record Want(InitrdPath path, Component component, String reason, boolean optional) {
        public Want(InitrdPath path, Component component, String reason) {
            this(path, component, reason, false);
        }
    }

    /**
     * A library systemd loads with dlopen() for {@code feature} ("kmod", "cryptsetup"), as the
     * sysroot's own {@code .note.dlopen} metadata names it. Releases that link it directly have
     * no such note, and nothing is added for it.
     */
    public record Dlopen(String feature, Component component, String reason) {}

    /** An entry the recipe writes itself. */
    public record Item(Component component, PlanEntry entry) {}

    public Stage1Composition {
        wants = List.copyOf(wants);
        generated = List.copyOf(generated);
        modules = Collections.unmodifiableSet(new LinkedHashSet<>(modules));
        dlopen = List.copyOf(dlopen);
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
        private final List<Dlopen> dlopen = new ArrayList<>();

        void want(Component c, String path, String reason) {
            wants.putIfAbsent(InitrdPath.of(path), new Want(InitrdPath.of(path), c, reason));
        }

        /** A path copied only when the sysroot has it (one systemd release ships it, another not). */
        void wantIfPresent(Component c, String path, String reason) {
            wants.putIfAbsent(InitrdPath.of(path), new Want(InitrdPath.of(path), c, reason, true));
        }

        /** The libraries of a dlopen feature, where the sysroot's systemd loads them so. */
        void dlopen(Component c, String feature, String reason) {
            dlopen.add(new Dlopen(feature, c, reason));
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
                    modules, dlopen);
        }
    }
}
