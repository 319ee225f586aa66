package org.initrdharness.report.milestones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.report.ConsoleLogFile;
import org.initrdharness.report.Timeline;
import org.initrdharness.report.profile.Phase;
import org.initrdharness.report.profile.Stage1Profile;
import org.initrdharness.report.profile.UnitTiming;

/**
 * A boot's milestones, read from its console log, its stage-1 profile and its timeline, with
 * the size of the initrd it booted. Written beside the other artifacts as {@value #FILE}.
 *
 * @param times  when each milestone came, seconds since QEMU started; a milestone the boot never
 *               reached (or that has no line in it, as the prompt of a boot without one) is absent
 * @param waited by each milestone, how long the guest's vCPUs had waited for a host CPU ({@link HostWait});
 *               empty where that was not sampled
 * @param end    the last moment anything was recorded: where a timeline's axis ends
 * @param initrd the initrd's size and entries, or null when the boot had none or it is gone
 */
public record BootMilestones(Map<Milestone, Double> times, Map<Milestone, Double> waited, double end, InitrdStats initrd) {
    public static final String FILE = "milestones.json";

    /**
     * What the console shows when stage 1 waits for a person: a passphrase, the emergency shell's
     * greeting, a locked account's "Press Enter".
     */
    static final Pattern PROMPT = Pattern.compile(
            "(?i)enter passphrase|passphrase for |password for |give root password|press enter (for|to continue)|login: ?$");

    public BootMilestones {
        times = times.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(times));
        waited = waited.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(waited));
    }

    public BootMilestones(Map<Milestone, Double> times, double end, InitrdStats initrd) {
        this(times, Map.of(), end, initrd);
    }

    /** The same milestones with how long the guest had waited for a host CPU by each. */
    public BootMilestones withWait(HostWait wait) {
        Map<Milestone, Double> w = new EnumMap<>(Milestone.class);
        times.forEach((m, t) -> {
            Double v = wait.at(t);
            if (v != null) w.put(m, v);
        });
        return new BootMilestones(times, w, end, initrd);
    }

    /**
     * The milestone's own time: seconds since QEMU started less the time the guest waited for a
     * host CPU by then; null where the milestone or its wait is not known.
     */
    public Double own(Milestone m) {
        Double t = times.get(m);
        Double w = waited.get(m);
        return t == null || w == null ? null : t - w;
    }

    /** Own seconds from one milestone to another (both less the wait by then); null where either is not known. */
    public Double ownSpan(Milestone from, Milestone to) {
        Double a = from == Milestone.QEMU_START ? Double.valueOf(0) : own(from);
        Double b = own(to);
        return a == null || b == null ? null : b - a;
    }

    /** The milestones of the boot recorded in {@code dir} (console.log, timeline.txt), with {@code initrd}'s stats. */
    public static BootMilestones read(Path dir, Path initrd) throws IOException {
        List<ConsoleLogFile.Line> lines = ConsoleLogFile.read(dir.resolve("console.log"));
        List<Timeline.Event> events = Timeline.read(dir.resolve("timeline.txt"));
        Stage1Profile profile = Stage1Profile.parse(ConsoleLogFile.asLogLines(lines), Stage1Profile.STAGE2_MARKER, List.of());
        return of(profile, lines, events, InitrdStats.of(initrd).orElse(null)).withWait(HostWait.read(dir));
    }

    public static BootMilestones of(Stage1Profile profile, List<ConsoleLogFile.Line> lines, List<Timeline.Event> events,
            InitrdStats initrd) {
        Map<Milestone, Double> t = new EnumMap<>(Milestone.class);
        double end = 0;
        for (Timeline.Event e : events) {
            if (e.kind().equals("qemu") && e.text().startsWith("started") && !t.containsKey(Milestone.QEMU_START)) {
                t.put(Milestone.QEMU_START, e.seconds());
            }
            // A prompt answered by a responder is a prompt even where its line had no newline yet.
            if (e.kind().equals("respond") && !e.text().startsWith("could not")) t.merge(Milestone.PROMPT, e.seconds(), Math::min);
            end = Math.max(end, e.seconds());
        }
        for (ConsoleLogFile.Line l : lines) {
            if (Double.isNaN(l.seconds())) continue;
            end = Math.max(end, l.seconds());
            if (!l.input() && PROMPT.matcher(l.text()).find()) t.merge(Milestone.PROMPT, l.seconds(), Math::min);
        }
        put(t, Milestone.KERNEL, profile.phases().get(Phase.KERNEL));
        put(t, Milestone.INIT, profile.phases().get(Phase.INIT));
        put(t, Milestone.ROOT_DEVICE, profile.phases().get(Phase.ROOT_DEVICE));
        put(t, Milestone.SYSROOT_MOUNT, unit(profile, "sysroot.mount", true).orElse(profile.phases().get(Phase.SYSROOT)));
        put(t, Milestone.SWITCH_ROOT,
                unit(profile, "initrd-switch-root.service", false).orElse(profile.phases().get(Phase.SWITCH_ROOT)));
        put(t, Milestone.STAGE2, profile.phases().get(Phase.STAGE2));
        return new BootMilestones(t, end, initrd);
    }

    private static Optional<Double> unit(Stage1Profile p, String name, boolean ready) {
        return p.units().stream().filter(u -> u.unit().equals(name) && !u.failed())
                .map(ready ? UnitTiming::ready : UnitTiming::begun).filter(v -> v != null).findFirst();
    }

    private static void put(Map<Milestone, Double> t, Milestone m, Double v) {
        if (v != null) t.put(m, v);
    }

    public Double at(Milestone m) {
        return times.get(m);
    }

    /** Plain values for JSON: every milestone by id (null where it never came), and the initrd. */
    public Map<String, Object> toJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> ms = new LinkedHashMap<>();
        for (Milestone m : Milestone.values()) {
            Double v = times.get(m);
            ms.put(m.id(), v == null ? null : Math.round(v * 1000) / 1000.0);
        }
        doc.put("milestones", ms);
        if (!waited.isEmpty()) {
            Map<String, Object> ws = new LinkedHashMap<>();
            for (Milestone m : Milestone.values()) {
                Double v = waited.get(m);
                if (v != null) ws.put(m.id(), Math.round(v * 1000) / 1000.0);
            }
            doc.put("waited", ws);
        }
        doc.put("end", Math.round(end * 1000) / 1000.0);
        doc.put("initrd", initrd == null ? null : initrd.toJson());
        return doc;
    }

    /** Writes {@value #FILE} in {@code dir} (temp file, then rename). */
    public void write(Path dir) throws IOException {
        AtomicFiles.write(dir.resolve(FILE).toAbsolutePath(),
                out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, toJson()));
    }

    /** The {@value #FILE} written in {@code dir}, if there is one that reads. */
    public static Optional<BootMilestones> load(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            JsonNode doc = new ObjectMapper().readTree(f.toFile());
            Map<Milestone, Double> t = new EnumMap<>(Milestone.class);
            doc.path("milestones").fields().forEachRemaining(e -> {
                Milestone m = Milestone.byId(e.getKey());
                if (m != null && e.getValue().isNumber()) t.put(m, e.getValue().asDouble());
            });
            Map<Milestone, Double> w = new EnumMap<>(Milestone.class);
            doc.path("waited").fields().forEachRemaining(e -> {
                Milestone m = Milestone.byId(e.getKey());
                if (m != null && e.getValue().isNumber()) w.put(m, e.getValue().asDouble());
            });
            JsonNode i = doc.path("initrd");
            InitrdStats initrd = i.isObject()
                    ? new InitrdStats(i.path("file").asText(), i.path("bytes").asLong(), i.path("entries").asInt(-1)) : null;
            return Optional.of(new BootMilestones(t, w, doc.path("end").asDouble(), initrd));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The milestones of the boot in {@code dir}: its {@value #FILE}, else read from its logs (without the initrd). */
    public static Optional<BootMilestones> of(Path dir) {
        if (dir == null) return Optional.empty();
        Optional<BootMilestones> written = load(dir);
        if (written.isPresent()) return written;
        if (!Files.isRegularFile(dir.resolve("console.log"))) return Optional.empty();
        try {
            return Optional.of(read(dir, null));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
