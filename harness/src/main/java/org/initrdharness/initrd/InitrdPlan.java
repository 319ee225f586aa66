package org.initrdharness.initrd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What an initrd holds: entries sorted by path, every parent directory present. Built with
 * {@link #builder()}; immutable once built, so it can be listed, compared and written as often
 * as needed.
 */
public final class InitrdPlan {
    private final TreeMap<InitrdPath, PlanEntry> entries;

    private InitrdPlan(TreeMap<InitrdPath, PlanEntry> entries) {
        this.entries = entries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Entries in archive order: parents before children, byte order of paths. */
    public List<PlanEntry> entries() {
        return List.copyOf(entries.values());
    }

    public Optional<PlanEntry> get(InitrdPath path) {
        return Optional.ofNullable(entries.get(path));
    }

    public boolean contains(InitrdPath path) {
        return entries.containsKey(path);
    }

    public int size() {
        return entries.size();
    }

    /** A builder that starts with this plan's entries, to extend it. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.entries.putAll(entries);
        return b;
    }

    public static final class Builder {
        private final TreeMap<InitrdPath, PlanEntry> entries = new TreeMap<>();

        /**
         * Adds an entry. The same content at the same path again is ignored (first reason kept);
         * different content at a path already taken is an error naming both.
         */
        public Builder add(PlanEntry entry) {
            if (entry.path().isRoot() && !(entry instanceof PlanEntry.Directory)) {
                // GNU cpio and the kernel would replace the whole tree with it ("." -> /usr/bin/bash)
                throw new InitrdBuildException("the initrd's root / cannot be " + describe(entry) + " ("
                        + entry.reason() + "); it is always a directory");
            }
            PlanEntry old = entries.get(entry.path());
            if (old == null) {
                entries.put(entry.path(), entry);
            } else if (old instanceof PlanEntry.Directory && entry instanceof PlanEntry.Directory) {
                // An explicit directory wins over an implied parent; both are directories.
                if (old.reason().equals(IMPLIED_PARENT)) entries.put(entry.path(), entry);
            } else if (!old.sameContentAs(entry)) {
                throw new InitrdBuildException("two different sources for " + entry.path() + ": "
                        + describe(old) + " and " + describe(entry)
                        + "; remove one of them from the contents list or options");
            }
            return this;
        }

        public Builder addAll(Collection<? extends PlanEntry> more) {
            more.forEach(this::add);
            return this;
        }

        public boolean contains(InitrdPath path) {
            return entries.containsKey(path);
        }

        public Optional<PlanEntry> get(InitrdPath path) {
            return Optional.ofNullable(entries.get(path));
        }

        /** Adds every missing parent directory (mode 0755) and freezes the plan. */
        public InitrdPlan build() {
            TreeMap<InitrdPath, PlanEntry> out = new TreeMap<>(entries);
            List<InitrdPath> paths = new ArrayList<>(entries.keySet());
            for (InitrdPath p : paths) {
                for (InitrdPath parent = p.parent(); !parent.isRoot(); parent = parent.parent()) {
                    PlanEntry existing = out.get(parent);
                    if (existing == null) {
                        out.put(parent, new PlanEntry.Directory(parent, 0755, IMPLIED_PARENT));
                    } else if (!(existing instanceof PlanEntry.Directory)) {
                        throw new InitrdBuildException(p + " needs " + parent + " to be a directory, but it is "
                                + describe(existing) + "; add the entry under the link's target instead");
                    } else {
                        break; // parents above an existing directory were already handled
                    }
                }
            }
            return new InitrdPlan(out);
        }
    }

    static final String IMPLIED_PARENT = "parent directory";

    static String describe(PlanEntry e) {
        if (e instanceof PlanEntry.RegularFile f) return "file " + f.source();
        if (e instanceof PlanEntry.Symlink s) return "symlink -> " + s.target();
        if (e instanceof PlanEntry.Generated g) return "generated file (" + g.reason() + ")";
        if (e instanceof PlanEntry.DeviceNode d) return "device " + d.kind() + " " + d.major() + ":" + d.minor();
        return "directory";
    }
}
