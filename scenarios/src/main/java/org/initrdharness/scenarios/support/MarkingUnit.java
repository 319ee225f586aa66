package org.initrdharness.scenarios.support;

import java.util.List;
import org.initrdharness.images.disk.Stage2;
import org.initrdharness.stage1.Stage1Options;

/**
 * A stage-1 unit that runs a shell script late in stage 1 and leaves what it prints in
 * {@code /run/harness/<mark>}, where stage 2 reports it ({@link Stage2Report#mark}). The script
 * is a file in the initrd, so it needs no unit-file quoting ({@code %}, {@code $}, quotes).
 *
 * @param mark   the file name under /run/harness, also the unit's name ({@code harness-<mark>.service})
 * @param after  units it runs after and pulls in (what it observes must be there by then)
 * @param script busybox sh; its standard output becomes the mark
 * @param service more [Service] settings ("LoadCredential=x"), one per line
 */
public record MarkingUnit(String mark, List<String> after, String script, List<String> service) {

    public MarkingUnit {
        if (!mark.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("mark '" + mark + "' must be lower-case letters, digits and dashes");
        }
        after = List.copyOf(after);
        service = List.copyOf(service);
    }

    public MarkingUnit(String mark, List<String> after, String script) {
        this(mark, after, script, List.of());
    }

    public String unitName() {
        return "harness-" + mark + ".service";
    }

    public String scriptPath() {
        return "/etc/harness/" + mark + ".sh";
    }

    /** The unit: ordered before initrd.target, so it has run before switch-root. */
    public String unitText() {
        return "[Unit]\nDescription=Record " + mark + " for stage 2\nDefaultDependencies=no\n"
                + (after.isEmpty() ? "" : "After=" + String.join(" ", after) + "\n")
                + (after.isEmpty() ? "" : "Wants=" + String.join(" ", after) + "\n")
                + "Before=initrd.target initrd-switch-root.target\n"
                + "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                + service.stream().map(line -> line + "\n").collect(java.util.stream.Collectors.joining())
                + "ExecStart=/bin/sh " + scriptPath() + "\n";
    }

    /** The script file: the user's script with its output written to the mark atomically. */
    public String scriptText() {
        String dir = Stage2.MARKS_DIR;
        return "mkdir -p " + dir + "\n(\n" + script + "\n) > " + dir + "/." + mark + " 2>&1\nmv " + dir + "/." + mark
                + " " + dir + "/" + mark + "\n";
    }

    /** Adds this unit, its script and its place in initrd.target to the options. */
    public Stage1Options.Builder addTo(Stage1Options.Builder options) {
        return options.unit(unitName(), unitText()).file(scriptPath(), scriptText()).want("initrd.target", unitName());
    }
}
