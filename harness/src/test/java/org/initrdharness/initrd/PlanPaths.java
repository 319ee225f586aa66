package org.initrdharness.initrd;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** Follows symlinks inside a built plan, as the kernel will inside the unpacked initrd. */
final class PlanPaths {
    private PlanPaths() {}

    /** The entry {@code path} leads to in {@code plan}, following every symlink; empty if it leads nowhere. */
    static Optional<PlanEntry> follow(InitrdPlan plan, String path) {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, path);
        InitrdPath cur = InitrdPath.ROOT;
        int hops = 0;
        while (!pending.isEmpty()) {
            String c = pending.pollFirst();
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                cur = cur.parent();
                continue;
            }
            InitrdPath next = cur.resolve(c);
            Optional<PlanEntry> e = plan.get(next);
            if (e.isEmpty()) return Optional.empty();
            if (e.get() instanceof PlanEntry.Symlink s) {
                if (++hops > 40) return Optional.empty();
                push(pending, s.target());
                if (s.target().startsWith("/")) cur = InitrdPath.ROOT;
                continue;
            }
            cur = next;
        }
        return plan.get(cur);
    }

    private static void push(Deque<String> pending, String p) {
        String[] parts = p.split("/");
        for (int i = parts.length - 1; i >= 0; i--) if (!parts[i].isEmpty()) pending.addFirst(parts[i]);
    }
}
