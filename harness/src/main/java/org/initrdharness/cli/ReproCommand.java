package org.initrdharness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.initrdharness.report.BootArtifacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code initrd-harness repro DIR}: shows what a recorded boot ended with, then boots the same
 * machine again with its console on this terminal, through fresh overlays.
 */
@Command(name = "repro", mixinStandardHelpOptions = true,
        description = {"Reproduces a recorded boot (a scenario's or `boot`'s artifact directory):",
                "prints the end of its console log and its timeline, then runs its qemu.sh with the",
                "console on this terminal (Ctrl-A X quits). Base images are never written."})
public final class ReproCommand implements CliCommand, Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "the boot's artifact directory (holds qemu.sh and console.log)")
    Path dir;

    @Option(names = "--lines", defaultValue = "30", description = "console lines to show first (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--print", description = "only show the evidence and the command; do not boot")
    boolean printOnly;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BootArtifacts artifacts = new BootArtifacts(dir);
        if (!Files.isRegularFile(artifacts.replayScript())) {
            System.err.println("repro: " + artifacts.replayScript() + " does not exist: give the artifact directory of a"
                    + " boot (it holds qemu.sh and console.log), e.g. target/boots/<Scenario>/<arch>/<test>");
            return 2;
        }
        if (Files.isRegularFile(artifacts.timeline())) {
            System.out.println("== timeline (" + artifacts.timeline() + ")");
            Files.readAllLines(artifacts.timeline()).forEach(System.out::println);
        }
        if (Files.isRegularFile(artifacts.consoleLog())) {
            List<String> all = Files.readAllLines(artifacts.consoleLog());
            System.out.println("== last " + Math.min(lines, all.size()) + " console lines (" + artifacts.consoleLog() + ")");
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
        }
        System.out.println("== replay: sh " + artifacts.replayScript());
        if (printOnly) return 0;
        Process p = new ProcessBuilder("sh", artifacts.replayScript().toString()).inheritIO().start();
        return p.waitFor();
    }
}
