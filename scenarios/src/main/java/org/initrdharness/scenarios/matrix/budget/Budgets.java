package org.initrdharness.scenarios.matrix.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The checked-in budgets ({@value #RESOURCE}) or a user's file: for each result the most
 * specific budget that names its scenario, release and arch; within one, a limit left out is
 * taken from the next less specific budget.
 */
public record Budgets(List<Budget> budgets) {
    public static final String RESOURCE = "/org/initrdharness/scenarios/budgets.json";

    public Budgets {
        budgets = List.copyOf(budgets);
    }

    public static Budgets checkedIn() {
        try (InputStream in = Budgets.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("no " + RESOURCE + " in the jar");
            return parse(new ObjectMapper().readTree(in), RESOURCE);
        } catch (IOException e) {
            throw new IllegalStateException(RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** A budgets file; a bad one is an {@link IllegalArgumentException} naming the file and entry. */
    public static Budgets read(Path file) throws IOException {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        return parse(doc, file.toString());
    }

    static Budgets parse(JsonNode doc, String origin) {
        JsonNode list = doc == null ? null : doc.get("budgets");
        if (list == null || !list.isArray()) throw new IllegalArgumentException(origin + ": needs a \"budgets\" array");
        List<Budget> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode b = list.get(i);
            String at = origin + ": budgets[" + i + "]";
            out.add(new Budget(name(b, "scenario", at), name(b, "release", at), name(b, "arch", at),
                    seconds(b, "stage2", at), seconds(b, "prompt", at),
                    b.hasNonNull("initrdBytes") ? positive(b, "initrdBytes", at).longValue() : null));
        }
        return new Budgets(out);
    }

    private static String name(JsonNode b, String key, String at) {
        JsonNode v = b.get(key);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(at + "." + key + ": give a name or \"*\"");
        }
        return v.asText();
    }

    private static Double seconds(JsonNode b, String key, String at) {
        return b.hasNonNull(key) ? positive(b, key, at) : null;
    }

    private static Double positive(JsonNode b, String key, String at) {
        JsonNode v = b.get(key);
        if (!v.isNumber() || !(v.asDouble() > 0)) throw new IllegalArgumentException(at + "." + key + ": '" + v + "' is not a positive number");
        return v.asDouble();
    }

    /** The limits for one result, each from the most specific budget that sets it. */
    public Optional<Budget> forResult(String scenario, String release, String arch) {
        List<Budget> fits = budgets.stream().filter(b -> b.matches(scenario, release, arch))
                .sorted(Comparator.comparingInt(Budget::specificity).reversed()).toList();
        if (fits.isEmpty()) return Optional.empty();
        Double stage2 = fits.stream().map(Budget::stage2).filter(v -> v != null).findFirst().orElse(null);
        Double prompt = fits.stream().map(Budget::prompt).filter(v -> v != null).findFirst().orElse(null);
        Long bytes = fits.stream().map(Budget::initrdBytes).filter(v -> v != null).findFirst().orElse(null);
        return Optional.of(new Budget(scenario, release, arch, stage2, prompt, bytes));
    }
}
