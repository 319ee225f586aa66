package org.initrdharness.report;

import java.nio.file.Path;

/**
 * Where one boot leaves its evidence: the console log (timestamped lines), QEMU's own output,
 * the command that replays the boot, the timeline of events, screenshots.
 *
 * @param dir the machine's artifact directory
 */
public record BootArtifacts(Path dir) {

    /** Every console line, "[   seconds] text", input marked "&gt;&gt;&gt;", secrets never written. */
    public Path consoleLog() { return dir.resolve("console.log"); }

    /** QEMU's stdout and stderr (its warnings and start-up errors). */
    public Path qemuLog() { return dir.resolve("qemu.log"); }

    /** A shell script that boots the same machine again with the console on the terminal. */
    public Path replayScript() { return dir.resolve("qemu.sh"); }

    /** Every file the boot read, by content hash, and its command line with tokens: what a replay or a bundle needs. */
    public Path inputs() { return dir.resolve("inputs.json"); }

    /** What the guest wrote to its journal port ({@code Arch.journalPort()}): the harness's stage 1 writes its journal there. */
    public Path journal() { return dir.resolve("journal.log"); }

    /** Both ways of the second console ({@code Arch.secondConsole()}): stage 1's break shells, typed input marked. */
    public Path secondConsoleLog() { return dir.resolve("console2.log"); }

    /** Each stage-1 unit's start, end and result, read from {@link #journal()}. */
    public Path unitTimeline() { return dir.resolve("units.txt"); }

    /** The events of the boot, one a line. */
    public Path timeline() { return dir.resolve("timeline.txt"); }

    /** Stage 1's milestones, units and critical chain read from the console log (plain text). */
    public Path stage1Profile() { return dir.resolve("stage1-profile.txt"); }

    /** The same as JSON. */
    public Path stage1ProfileJson() { return dir.resolve("stage1-profile.json"); }

    /** A screenshot with the given name. */
    public Path screenshot(String name) { return dir.resolve(name.endsWith(".png") ? name : name + ".png"); }

    /** Human summary: where to look. */
    public String describe() {
        return "console log: " + consoleLog() + "\nreplay:      sh " + replayScript() + "\ntimeline:    " + timeline()
                + "\nprofile:     " + stage1Profile() + "\ninputs:      " + inputs()
                + (java.nio.file.Files.isRegularFile(journal()) ? "\njournal:     " + journal() : "")
                + (java.nio.file.Files.isRegularFile(unitTimeline()) ? "\nunits:       " + unitTimeline() : "")
                + (java.nio.file.Files.isRegularFile(secondConsoleLog()) ? "\nconsole 2:   " + secondConsoleLog() : "");
    }
}
