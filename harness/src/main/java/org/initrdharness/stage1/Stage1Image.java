package org.initrdharness.stage1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.PlanEntry;

/**
 * A composed systemd stage 1: the plan to write, which {@link Component} brought each entry in
 * (libraries count for the component that first needed them), and the closure's warnings.
 */
public record Stage1Image(InitrdPlan plan, Map<InitrdPath, Component> components, String kernelVersion,
        List<String> warnings) {

    public Stage1Image {
        components = Map.copyOf(components);
        warnings = List.copyOf(warnings);
    }

    /** The component of an entry; parent directories the plan added count as configuration. */
    public Component componentOf(InitrdPath path) {
        return components.getOrDefault(path, Component.CONFIG);
    }

    /** Uncompressed bytes and entry counts per component, in component order. */
    public Map<Component, Size> sizes() {
        Map<Component, Size> out = new EnumMap<>(Component.class);
        for (PlanEntry e : plan.entries()) {
            long bytes = bytes(e);
            out.merge(componentOf(e.path()), new Size(1, bytes), Size::plus);
        }
        return out;
    }

    /** Bytes of file content in the whole image. */
    public long totalBytes() {
        return plan.entries().stream().mapToLong(Stage1Image::bytes).sum();
    }

    /** Entries and content bytes. */
    public record Size(int entries, long bytes) {
        Size plus(Size o) {
            return new Size(entries + o.entries, bytes + o.bytes);
        }
    }

    static long bytes(PlanEntry e) {
        if (e instanceof PlanEntry.Generated g) return g.content().length;
        if (e instanceof PlanEntry.Symlink s) return s.target().length();
        if (e instanceof PlanEntry.RegularFile f) {
            try {
                return Files.size(f.source());
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read size of " + f.source(), ex);
            }
        }
        return 0;
    }
}
