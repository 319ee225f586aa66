package org.initrdharness.bisect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdEntry;

/**
 * One entry that differs between the good and the bad initrd: added in the bad one, removed
 * from it, or changed (mode, content, link target, device). Taking a delta into a hybrid puts
 * the bad initrd's version of that path (or its absence) over the good one.
 *
 * @param index  its place in the list the search splits (sorted by path, so halves keep
 *               directories together)
 * @param path   the entry's path in the initrd
 * @param before the good initrd's entry, null when the bad one added it
 * @param after  the bad initrd's entry, null when the bad one removed it
 * @param line   the delta as {@code diff-initrd} prints it
 */
public record Delta(int index, String path, InitrdEntry before, InitrdEntry after, String line) {

    /** Every delta of {@code diff}, sorted by path and numbered. */
    public static List<Delta> of(InitrdDiff diff) {
        record Raw(String path, InitrdEntry before, InitrdEntry after, String line) {}
        List<Raw> raw = new ArrayList<>();
        for (InitrdEntry e : diff.added()) raw.add(new Raw(e.path(), null, e, "+ " + e.listLine()));
        for (InitrdEntry e : diff.removed()) raw.add(new Raw(e.path(), e, null, "- " + e.listLine()));
        for (InitrdDiff.Change c : diff.changed()) {
            raw.add(new Raw(c.after().path(), c.before(), c.after(),
                    "~ " + c.after().path() + ": " + String.join(", ", c.differences())));
        }
        raw.sort(Comparator.comparing(Raw::path));
        List<Delta> out = new ArrayList<>(raw.size());
        for (Raw r : raw) out.add(new Delta(out.size(), r.path(), r.before(), r.after(), r.line()));
        return List.copyOf(out);
    }

    /** '+', '-' or '~'. */
    public char sign() {
        return before == null ? '+' : after == null ? '-' : '~';
    }
}
