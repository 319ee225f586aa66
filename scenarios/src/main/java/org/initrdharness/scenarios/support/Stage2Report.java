package org.initrdharness.scenarios.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.vm.console.Console;
import org.initrdharness.vm.console.ConsoleMatch;

/**
 * The line the stage-2 init prints once switch-root has happened: proof that stage 1 handed
 * over, and what it left in /run.
 *
 * @param arch          {@code uname -m} in stage 2
 * @param uptime        the guest's uptime when stage 2 started, in seconds
 * @param cmdline       the kernel command line
 * @param run           paths under /run, depth two at most
 * @param marks         file name to content of each file stage 1 left in /run/harness
 * @param secondsSinceStart when the line reached the console, from QEMU's start
 */
public record Stage2Report(String arch, double uptime, String cmdline, List<String> run, Map<String, String> marks,
        double secondsSinceStart) {

    /** The STAGE2 line: anchored to the prefix, the JSON running to the end of the line. */
    public static final Pattern LINE = Pattern.compile(Pattern.quote(Stage2.LINE_PREFIX) + "(\\{.*\\})\\s*$",
            Pattern.MULTILINE);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Waits for the stage-2 line and parses it. */
    public static Stage2Report await(Console console, Duration timeout) {
        ConsoleMatch m = console.waitFor(LINE, timeout);
        return parse(m.group(1), console.seconds());
    }

    static Stage2Report parse(String json, double seconds) {
        try {
            JsonNode n = JSON.readTree(json);
            List<String> run = new ArrayList<>();
            n.path("run").forEach(x -> run.add(x.asText()));
            Map<String, String> marks = new LinkedHashMap<>();
            n.path("marks").fields().forEachRemaining(e -> marks.put(e.getKey(), e.getValue().asText()));
            return new Stage2Report(n.path("arch").asText(), n.path("uptime").asDouble(), n.path("cmdline").asText(),
                    List.copyOf(run), Map.copyOf(marks), seconds);
        } catch (java.io.IOException e) {
            throw new AssertionError("the STAGE2 line is not valid JSON (a garbled console line?): " + json, e);
        }
    }

    /** The mark stage 1 left under this name, or null. */
    public String mark(String name) {
        return marks.get(name);
    }
}
