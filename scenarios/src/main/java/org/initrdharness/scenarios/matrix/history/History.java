package org.initrdharness.scenarios.matrix.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.scenarios.matrix.TestOutcome;
import org.initrdharness.scenarios.matrix.Verdict;

/**
 * The last N matrix runs' cell verdicts, a JSON file per run in one directory (what CI carries
 * from one night to the next), and what they say per cell: since when it fails, how often it flaked.
 */
public final class History {
    /** Runs kept when {@code --history-keep} is not given: a month of nights. */
    public static final int DEFAULT_KEEP = 30;
    private static final String PREFIX = "run-";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private History() {}

    /** The kept runs, oldest first; a file that is not a run's refuses the directory, naming the file. */
    public static List<RunResults> load(Path dir) throws IOException {
        List<RunResults> runs = new ArrayList<>();
        if (!Files.isDirectory(dir)) return runs;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(History::isRun).sorted().toList()) runs.add(read(f));
        }
        runs.sort(Comparator.comparing(RunResults::date).thenComparing(RunResults::file));
        return runs;
    }

    private static boolean isRun(Path f) {
        String n = f.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(".json");
    }

    static RunResults read(Path f) throws IOException {
        try {
            JsonNode doc = new ObjectMapper().readTree(f.toFile());
            Instant date = Instant.parse(doc.path("date").asText());
            Map<String, Verdict> cells = new TreeMap<>();
            doc.path("cells").fields().forEachRemaining(e ->
                    cells.put(e.getKey(), Verdict.valueOf(e.getValue().asText().toUpperCase(Locale.ROOT))));
            return new RunResults(f.getFileName().toString(), date, cells);
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--history: " + f + " is not a run's results (" + e.getMessage()
                    .lines().findFirst().orElse("") + "): remove it");
        }
    }

    /** Adds {@code run} to {@code dir} (temp file, then rename) and removes all but the newest {@code keep} runs. */
    public static RunResults record(Path dir, Instant date, Map<String, Verdict> cells, int keep) throws IOException {
        Files.createDirectories(dir);
        String name = PREFIX + NAME.format(date) + ".json";
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", date.toString());
        Map<String, String> byCell = new TreeMap<>();
        cells.forEach((c, v) -> byCell.put(c, v.name().toLowerCase(Locale.ROOT)));
        doc.put("cells", byCell);
        AtomicFiles.write(dir.resolve(name).toAbsolutePath(),
                out -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, doc));
        List<RunResults> runs = load(dir);
        for (int i = 0; i < runs.size() - keep; i++) Files.deleteIfExists(dir.resolve(runs.get(i).file()));
        return new RunResults(name, date, cells);
    }

    /** Records this run's outcomes and returns what the kept runs, this one the newest, say per cell. */
    public static Map<String, CellHistory> update(Path dir, Instant date,
            List<TestOutcome> outcomes, int keep) throws IOException {
        record(dir, date, RunResults.cellsOf(outcomes), keep);
        return summarize(load(dir));
    }

    /** Per cell of the newest run: since when it fails and how often it flaked over {@code runs} (oldest first). */
    public static Map<String, CellHistory> summarize(List<RunResults> runs) {
        Map<String, CellHistory> out = new TreeMap<>();
        if (runs.isEmpty()) return out;
        for (String cell : runs.get(runs.size() - 1).cells().keySet()) {
            int ran = 0;
            int flaky = 0;
            for (RunResults r : runs) {
                Verdict v = r.cells().get(cell);
                if (v == null || v == Verdict.SKIP) continue;
                ran++;
                if (v == Verdict.FLAKY) flaky++;
            }
            // The streak: back from the newest run while the cell failed; runs without it do not break it.
            Instant since = null;
            int streak = 0;
            for (int i = runs.size() - 1; i >= 0; i--) {
                Verdict v = runs.get(i).cells().get(cell);
                if (v == null || v == Verdict.SKIP) continue;
                if (v != Verdict.FAIL) break;
                since = runs.get(i).date();
                streak++;
            }
            out.put(cell, new CellHistory(cell, since, streak, flaky, ran));
        }
        return out;
    }
}
