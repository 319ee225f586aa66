package org.initrdharness.initrd.kmod;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Names close to a mistyped one, for "did you mean" in error messages. */
final class CloseNames {
    private CloseNames() { }

    /** Up to {@code limit} candidates within a few edits of {@code name}, or containing it, closest first. */
    static List<String> to(String name, Collection<String> candidates, int limit) {
        record Scored(String name, int distance) { }
        int allowed = Math.max(2, name.length() / 4);
        return candidates.stream()
                .map(c -> new Scored(c, related(name, c) ? Math.abs(c.length() - name.length()) / 4 : distance(name, c)))
                .filter(s -> s.distance() <= allowed)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name))
                .limit(limit)
                .map(Scored::name)
                .toList();
    }

    /** One contains the other, and the shorter is not a mere fragment ("core" for "nvme_core2"). */
    private static boolean related(String a, String b) {
        return b.contains(a) || a.contains(b) && b.length() * 2 >= a.length();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
