package org.initrdharness.scenarios.matrix.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.initrdharness.report.milestones.BootMilestones;
import org.initrdharness.report.milestones.Milestone;
import org.initrdharness.scenarios.matrix.MatrixCell;
import org.initrdharness.scenarios.matrix.TestOutcome;

/**
 * Where this run's boots got slower or bigger: each result's time to stage 2, time to the first
 * prompt and initrd size against its budget (times scaled by {@code timeFactor}) and, with a
 * baseline, against the same result of that run beyond the noise margin. Only passed results
 * count: a failed boot's times say nothing about speed.
 */
public final class Regressions {
    /** The milestones budgets and baselines compare, by their JSON id. */
    static final List<Milestone> TIMED = List.of(Milestone.STAGE2, Milestone.PROMPT);

    private Regressions() {}

    /**
     * What a previous run measured, per result: milestones by id, how long the guest had waited
     * for a host CPU by each (by id; empty where not sampled), and the initrd's bytes.
     */
    public record Measured(Map<String, Double> milestones, Map<String, Double> waited, Long initrdBytes) {
        public Measured(Map<String, Double> milestones, Long initrdBytes) {
            this(milestones, Map.of(), initrdBytes);
        }

        /** The milestone's own time (less the host wait), or null where it was not sampled. */
        Double own(String id) {
            Double t = milestones.get(id);
            Double w = waited.get(id);
            return t == null || w == null ? null : t - w;
        }
    }

    /** A previous run's {@code --json}: its results' milestones by full name. */
    public static Map<String, Measured> baseline(Path json) throws IOException {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(json.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(json + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (doc == null || !doc.path("results").isArray()) {
            throw new IllegalArgumentException(json + ": no \"results\" array: give a file matrix --json wrote");
        }
        Map<String, Measured> out = new HashMap<>();
        for (JsonNode r : doc.path("results")) {
            if (!"pass".equals(r.path("verdict").asText())) continue;
            String release = r.path("release").isNull() ? null : r.path("release").asText(null);
            String name = r.path("scenario").asText() + "[" + MatrixCell.column(release, r.path("arch").asText()) + "]."
                    + r.path("test").asText();
            JsonNode bytes = r.path("initrd").path("bytes");
            out.put(name, new Measured(numbers(r.path("milestones")), numbers(r.path("waited")),
                    bytes.isNumber() ? bytes.asLong() : null));
        }
        return out;
    }

    private static Map<String, Double> numbers(JsonNode object) {
        Map<String, Double> out = new HashMap<>();
        object.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) out.put(e.getKey(), e.getValue().asDouble());
        });
        return out;
    }

    public static List<Regression> check(List<TestOutcome> outcomes, Budgets budgets, double timeFactor,
            Map<String, Measured> baseline, NoiseMargin margin) {
        List<Regression> out = new ArrayList<>();
        for (TestOutcome o : outcomes) {
            if (o.verdict() != org.initrdharness.scenarios.matrix.Verdict.PASS || o.artifacts() == null) continue;
            Optional<BootMilestones> now = BootMilestones.of(Path.of(o.artifacts()));
            if (now.isEmpty()) continue;
            BootMilestones m = now.get();
            Long bytes = m.initrd() == null ? null : m.initrd().bytes();
            budgets.forResult(o.scenario(), o.release(), o.arch()).ifPresent(b -> {
                over(out, o, "stage2", m.at(Milestone.STAGE2), b.stage2() == null ? null : b.stage2() * timeFactor);
                over(out, o, "prompt", m.at(Milestone.PROMPT), b.prompt() == null ? null : b.prompt() * timeFactor);
                if (bytes != null && b.initrdBytes() != null && bytes > b.initrdBytes()) {
                    out.add(regression(o, "initrd", "budget", bytes, b.initrdBytes(), null));
                }
            });
            Measured before = baseline.get(o.fullName());
            if (before == null) continue;
            for (Milestone t : TIMED) {
                // Own times where both runs sampled the host's wait: they compare across a loaded
                // and a quiet machine; wall times only where one of them did not.
                Double wasOwn = before.own(t.id());
                Double isOwn = m.own(t);
                if (wasOwn != null && isOwn != null) {
                    if (isOwn > margin.ownLimit(wasOwn)) {
                        out.add(new Regression(o.fullName(), o.scenario(), o.column(), o.test(), t.id(), "baseline", isOwn,
                                margin.ownLimit(wasOwn), wasOwn, m.waited().get(t)));
                    }
                    continue;
                }
                Double was = before.milestones().get(t.id());
                Double is = m.at(t);
                if (was != null && is != null && is > margin.limit(was)) {
                    out.add(regression(o, t.id(), "baseline", is, margin.limit(was), was));
                }
            }
            if (bytes != null && before.initrdBytes() != null && bytes > margin.limitBytes(before.initrdBytes())) {
                out.add(regression(o, "initrd", "baseline", bytes, margin.limitBytes(before.initrdBytes()),
                        (double) before.initrdBytes()));
            }
        }
        return out;
    }

    private static void over(List<Regression> out, TestOutcome o, String what, Double value, Double limit) {
        if (value != null && limit != null && value > limit) out.add(regression(o, what, "budget", value, limit, null));
    }

    private static Regression regression(TestOutcome o, String what, String against, double value, double limit,
            Double previous) {
        return new Regression(o.fullName(), o.scenario(), o.column(), o.test(), what, against, value, limit, previous, null);
    }
}
