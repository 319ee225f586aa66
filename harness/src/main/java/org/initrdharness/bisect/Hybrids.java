package org.initrdharness.bisect;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.PlanEntry;

/**
 * Hybrid initrds: the good initrd's entries with some deltas taken from the bad one. A hybrid
 * stays a tree the kernel can unpack: a taken entry brings the bad side's directories above it
 * (an added parent, or a directory that was a symlink in the good one), and a directory that
 * the bad side removed or turned into a link takes the removal of the good entries under it.
 */
public final class Hybrids {
    private final Map<String, InitrdEntry> good;
    private final Map<String, InitrdEntry> bad;
    private final List<Delta> deltas;
    private final Map<String, Integer> deltaAt = new HashMap<>();
    private final Set<String> paths = new LinkedHashSet<>();

    public Hybrids(InitrdReader.Contents good, InitrdReader.Contents bad, List<Delta> deltas) {
        this.good = good.byPath();
        this.bad = bad.byPath();
        this.deltas = List.copyOf(deltas);
        for (Delta d : deltas) deltaAt.put(d.path(), d.index());
        paths.addAll(this.good.keySet());
        paths.addAll(this.bad.keySet());
    }

    public List<Delta> deltas() {
        return deltas;
    }

    /**
     * The deltas a hybrid taking {@code requested} must take: {@code requested} and what keeps
     * the tree whole, found by repeating until nothing more is needed (each round only adds).
     */
    public SortedSet<Integer> effective(SortedSet<Integer> requested) {
        TreeSet<Integer> taken = new TreeSet<>(requested);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (String p : paths) {
                if (view(p, taken) == null) continue;
                for (String a = parent(p); a != null; a = parent(a)) {
                    InitrdEntry above = view(a, taken);
                    if (above != null && above.isDirectory()) continue;
                    Integer da = deltaAt.get(a);
                    InitrdEntry badAbove = bad.get(a);
                    Integer dp = deltaAt.get(p);
                    if (da != null && !taken.contains(da) && badAbove != null && badAbove.isDirectory()) {
                        grew |= taken.add(da); // the bad side's directory for the taken entry
                    } else if (dp != null && !taken.contains(dp)) {
                        grew |= taken.add(dp); // the bad side has no directory here: p follows it
                    }
                    // else: no entry on either side; the plan adds the directory as an implied parent
                }
            }
        }
        return taken;
    }

    /** The hybrid's entries as a plan; sockets and FIFOs, which a plan cannot hold, are named in {@code left}. */
    public InitrdPlan plan(SortedSet<Integer> taken, List<String> left) {
        InitrdPlan.Builder b = InitrdPlan.builder();
        for (String p : paths) {
            InitrdEntry e = view(p, taken);
            if (e == null) continue;
            PlanEntry entry = entry(e);
            if (entry == null) left.add(e.path());
            else b.add(entry);
        }
        return b.build();
    }

    /** The entry at {@code path} in the hybrid taking {@code taken}; null when it has none. */
    InitrdEntry view(String path, Set<Integer> taken) {
        Integer d = deltaAt.get(path);
        return d != null && taken.contains(d) ? bad.get(path) : good.get(path);
    }

    /** "/a/b" -> "/a"; null above the top (the root itself is always a directory). */
    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }

    private static final int S_IFMT = 0170000;

    private static PlanEntry entry(InitrdEntry e) {
        InitrdPath path = InitrdPath.of(e.path());
        String why = "bisect hybrid";
        if (e.isDirectory()) return new PlanEntry.Directory(path, e.mode(), why);
        if (e.isRegularFile()) return new PlanEntry.Generated(path, e.data(), e.mode(), why);
        if (e.isSymlink()) {
            if (e.linkTarget().isEmpty()) throw new InitrdBuildException("symlink " + e.path() + " has an empty target");
            return new PlanEntry.Symlink(path, e.linkTarget(), why);
        }
        if (e.isDevice()) {
            char kind = (e.mode() & S_IFMT) == 0060000 ? 'b' : 'c';
            return new PlanEntry.DeviceNode(path, kind, e.rdevMajor(), e.rdevMinor(), e.mode(), why);
        }
        return null;
    }
}
