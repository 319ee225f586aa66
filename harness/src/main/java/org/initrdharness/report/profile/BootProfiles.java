package org.initrdharness.report.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Profiles of recorded boots, for reports that gather many (the matrix's JSON). */
public final class BootProfiles {
    private BootProfiles() {}

    /** The profile of the boot recorded in {@code artifactDir} (its console.log), if there is one. */
    public static Optional<Stage1Profile> of(String artifactDir) {
        if (artifactDir == null) return Optional.empty();
        Path log = Path.of(artifactDir).resolve("console.log");
        if (!Files.isRegularFile(log)) return Optional.empty();
        try {
            return Optional.of(Stage1Profile.read(log));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A boot's spans, rounded, for one result's JSON. */
    public static Map<String, Object> spans(Stage1Profile p) {
        Map<String, Object> m = new LinkedHashMap<>();
        p.spans().forEach((k, v) -> m.put(k, Stage1Profile.round(v)));
        return m;
    }

    /** Per column (release/arch): medians of milestones and spans, and per unit its median and summed time. */
    public static Map<String, Object> summaries(Map<String, List<Stage1Profile>> byColumn) {
        Map<String, Object> out = new TreeMap<>();
        byColumn.forEach((column, ps) -> out.put(column, ProfileSummary.of(ps).toJson()));
        return out;
    }
}
