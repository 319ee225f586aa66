package org.initrdharness.initrd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two initrds, entry by entry: what a stage-1 change did to the image.
 * Entries are compared by type, permissions, size, content hash, link target and device
 * numbers; owner, mtime and inode numbers are ignored (builders differ there, contents do not).
 */
public record InitrdDiff(List<InitrdEntry> added, List<InitrdEntry> removed, List<Change> changed, int unchanged) {

    /** One path present in both, with what differs in words ("size 10 -> 12"). */
    public record Change(InitrdEntry before, InitrdEntry after, List<String> differences) {}

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    public static InitrdDiff of(InitrdReader.Contents a, InitrdReader.Contents b) {
        Map<String, InitrdEntry> before = a.byPath();
        Map<String, InitrdEntry> after = b.byPath();
        List<InitrdEntry> added = new ArrayList<>();
        List<InitrdEntry> removed = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        int same = 0;
        for (InitrdEntry x : before.values()) {
            InitrdEntry y = after.get(x.path());
            if (y == null) {
                removed.add(x);
                continue;
            }
            List<String> d = differences(x, y);
            if (d.isEmpty()) same++;
            else changed.add(new Change(x, y, d));
        }
        for (InitrdEntry y : after.values()) {
            if (!before.containsKey(y.path())) added.add(y);
        }
        java.util.Comparator<InitrdEntry> byPath = java.util.Comparator.comparing(InitrdEntry::path);
        added.sort(byPath);
        removed.sort(byPath);
        changed.sort(java.util.Comparator.comparing(c -> c.after().path()));
        return new InitrdDiff(List.copyOf(added), List.copyOf(removed), List.copyOf(changed), same);
    }

    private static List<String> differences(InitrdEntry x, InitrdEntry y) {
        List<String> d = new ArrayList<>();
        if (x.mode() != y.mode()) d.add("mode " + x.modeString() + " -> " + y.modeString());
        if (x.isSymlink() || y.isSymlink()) {
            if (!Objects.equals(x.linkTarget(), y.linkTarget())) {
                d.add("target " + x.linkTarget() + " -> " + y.linkTarget());
            }
            return d;
        }
        if (x.isDevice() || y.isDevice()) {
            if (x.rdevMajor() != y.rdevMajor() || x.rdevMinor() != y.rdevMinor()) {
                d.add("device " + x.rdevMajor() + ":" + x.rdevMinor() + " -> " + y.rdevMajor() + ":" + y.rdevMinor());
            }
            return d;
        }
        if (x.size() != y.size()) d.add("size " + x.size() + " -> " + y.size());
        if (x.isRegularFile() && y.isRegularFile() && !java.util.Arrays.equals(x.data(), y.data())) {
            d.add("content " + x.sha256().substring(0, 12) + " -> " + y.sha256().substring(0, 12));
        }
        return d;
    }
}
