package org.initrdharness.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.profile.Phase;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.report.profile.UnitTiming;

/**
 * One recorded boot as the report reads it back from its artifact directory: console lines,
 * timeline events, milestones, the stage-1 profile and which lines to highlight.
 */
public record BootView(Path dir, List<ConsoleLogFile.Line> lines, List<Timeline.Event> events, BootMilestones milestones,
        Stage1Profile profile, ConsoleMarks marks) {

    /** The page {@link BootPage} writes in every boot's directory. */
    public static final String PAGE = "boot.html";

    public static BootView load(Path dir) throws IOException {
        List<ConsoleLogFile.Line> lines = ConsoleLogFile.read(dir.resolve("console.log"));
        List<Timeline.Event> events = Timeline.read(dir.resolve("timeline.txt"));
        Stage1Profile profile = profile(dir, lines);
        BootMilestones milestones = BootMilestones.load(dir)
                .orElseGet(() -> BootMilestones.of(profile, lines, events, null));
        return new BootView(dir, lines, events, milestones, profile, ConsoleMarks.of(lines, events));
    }

    /**
     * The profile the machine wrote (it resolved cut unit names through the initrd's own unit
     * files), else one read from the console log here.
     */
    private static Stage1Profile profile(Path dir, List<ConsoleLogFile.Line> lines) {
        Path json = dir.resolve("stage1-profile.json");
        if (Files.isRegularFile(json)) {
            try {
                JsonNode doc = new ObjectMapper().readTree(json.toFile());
                Map<Phase, Double> phases = new EnumMap<>(Phase.class);
                for (Phase p : Phase.values()) {
                    JsonNode v = doc.path("phases").path(p.id());
                    if (v.isNumber()) phases.put(p, v.asDouble());
                }
                List<UnitTiming> units = new ArrayList<>();
                for (JsonNode u : doc.path("units")) {
                    units.add(new UnitTiming(u.path("unit").asText(), num(u.path("start")), num(u.path("ready")),
                            u.path("failed").asBoolean(false)));
                }
                return new Stage1Profile(phases, units, List.of());
            } catch (IOException | RuntimeException e) {
                // read it again from the console below
            }
        }
        try {
            return Stage1Profile.parse(ConsoleLogFile.asLogLines(lines), Stage1Profile.STAGE2_MARKER, List.of());
        } catch (RuntimeException e) {
            // the page still shows the console and the harness's events
            return new Stage1Profile(Map.of(), List.of(), List.of());
        }
    }

    private static Double num(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }

    public String svg() {
        return TimelineSvg.render(milestones, profile, events);
    }

    /** The last {@code n} console lines, for a failure's summary. */
    public List<ConsoleLogFile.Line> tail(int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    /** The line to point a reader at: the first failing one, else the last. */
    public int focusLine() {
        int f = marks.firstFailure();
        return f > 0 ? f : lines.size();
    }
}
