package org.initrdharness.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.replay.BootManifest;
import org.initrdharness.replay.Bundle;
import org.initrdharness.replay.InputFinder;
import org.initrdharness.replay.LastLines;
import org.initrdharness.replay.Replay;
import org.initrdharness.replay.ReplayCheck;
import org.initrdharness.replay.SessionStep;
import org.initrdharness.report.Timeline;
import org.initrdharness.vm.tpm.Swtpm;
import org.initrdharness.report.BootArtifacts;
import org.initrdharness.report.ReplayScript;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code initrd-harness repro DIR|F.tar.zst}: shows what a recorded boot ended with, then boots
 * the same machine again with its console on this terminal, through fresh overlays.
 * {@code repro --bundle DIR -o F.tar.zst} packs a boot into one file for another machine.
 */
@Command(name = "repro", mixinStandardHelpOptions = true,
        description = {"Reproduces a recorded boot, from its artifact directory or from a bundle made by --bundle:",
                "prints its timeline and the end of its console log, then runs the same QEMU command line with",
                "the console on this terminal (Ctrl-A X quits). Disks boot through fresh overlays: the recorded",
                "inputs are never written. Inputs no longer at their recorded path are found in the cache by sha256.",
                "--bundle DIR -o F.tar.zst packs the boot (inputs.json, the evidence, every input once by hash;",
                "typed secrets are never recorded) into one file that replays on another machine."})
public final class ReproCommand implements CliCommand, Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR|BUNDLE",
            description = "the boot's artifact directory (holds inputs.json or qemu.sh), or a bundle (.tar.zst)")
    Path source;

    @Option(names = "--bundle", paramLabel = "DIR", description = "pack this artifact directory into the file given by -o")
    Path bundleDir;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "the bundle to write (with --bundle), e.g. boot.tar.zst")
    Path output;

    @Option(names = "--lines", defaultValue = "30", description = "console lines to show first (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--print", description = "only show the evidence and the command; do not boot")
    boolean printOnly;

    @Option(names = "--timeout", paramLabel = "S",
            description = "kill the replayed QEMU after S seconds (default: 3600, with --check 600)")
    Long timeout;

    @Option(names = "--check", description = {"replay with no terminal: drive the recorded session again (its waits, typed"
            + " input, answered prompts, hot-plugged disks), wait until the console shows the recorded last lines,"
            + " print what matched; exit 0 when they all showed, 1 when not (QEMU is killed either way)"})
    boolean check;

    @Option(names = "--check-lines", paramLabel = "N", defaultValue = "5",
            description = "with --check: the recorded console's last N meaningful lines to see again (default: ${DEFAULT-VALUE})")
    int checkLines;

    @Option(names = "--answer-prompts-from", paramLabel = "FILE|-",
            description = "with --check: the secrets the recorded boot typed (passphrases), one a line, in order; - reads"
                    + " stdin. Never in a bundle: give them yourself")
    String answersFrom;

    @Option(names = "--answer-prompt", paramLabel = "REGEX",
            description = "with --check: also answer console prompts matching REGEX with the first answers given (for a"
                    + " prompt the recorded boot answered another way, e.g. a passphrase sent over SSH); repeatable")
    List<String> answerPrompts = new ArrayList<>();

    long timeoutSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (bundleDir != null) return bundle();
        if (output != null) return refuse("-o/--output goes with --bundle DIR: it names the bundle to write");
        if (source == null) return refuse("give the artifact directory of a boot or a bundle (.tar.zst), or --bundle DIR -o F");
        if ((answersFrom != null || !answerPrompts.isEmpty()) && !check) {
            return refuse((answersFrom != null ? "--answer-prompts-from" : "--answer-prompt") + " goes with --check");
        }
        if (checkLines < 1 || checkLines > 200) return refuse("--check-lines " + checkLines + " is outside 1..200");
        timeoutSeconds = timeout != null ? timeout : check ? 600 : 3600;
        if (timeoutSeconds <= 0 || timeoutSeconds > 7 * 24 * 3600) {
            return refuse("--timeout " + timeoutSeconds + " is outside 1..604800 seconds");
        }
        if (Files.isRegularFile(source)) return replayBundle();
        if (!Files.isDirectory(source)) {
            return refuse(source + " does not exist: give the artifact directory of a boot (e.g. target/boots/<Scenario>/"
                    + "<release>/<arch>/<test>) or a bundle (.tar.zst)");
        }
        BootArtifacts artifacts = new BootArtifacts(source);
        if (Files.isRegularFile(artifacts.inputs())) {
            BootManifest m = BootManifest.read(artifacts.inputs());
            Map<String, Path> files = new InputFinder(CacheDirectory.root()).find(m);
            return replay(m, files, source);
        }
        if (!Files.isRegularFile(artifacts.replayScript())) {
            return refuse(source + " holds neither inputs.json nor qemu.sh: give the artifact directory of a boot");
        }
        if (check) return refuse(source + " has no inputs.json: --check needs a boot recorded by this harness's current version");
        printEvidence(source, null);
        System.out.println("== replay: sh " + artifacts.replayScript());
        if (printOnly) return 0;
        return new ProcessBuilder("sh", artifacts.replayScript().toString()).inheritIO().start().waitFor();
    }

    private int bundle() throws IOException {
        if (source != null) return refuse("give either a boot to replay or --bundle DIR, not both");
        if (output == null) return refuse("--bundle " + bundleDir + " needs -o FILE (e.g. -o boot.tar.zst)");
        if (!Files.isDirectory(bundleDir)) return refuse("--bundle " + bundleDir + " is not a directory: give a boot's artifact directory");
        Path parent = output.toAbsolutePath().getParent();
        if (Files.isDirectory(output) || parent == null || !Files.isDirectory(parent)) {
            return refuse("-o " + output + " must name a file in an existing directory");
        }
        Bundle.Summary s = Bundle.write(bundleDir, output, CacheDirectory.root());
        java.io.PrintWriter out = spec.commandLine().getOut();
        out.println("repro: bundle " + s.describe());
        out.println("repro: replay it anywhere with: initrd-harness repro " + output);
        out.flush();
        return 0;
    }

    private int replayBundle() throws IOException, InterruptedException {
        if (!Bundle.isBundle(source)) return refuse(source + " is not a bundle (.tar.zst): give one made by repro --bundle");
        // Unix socket paths are limited to 108 bytes: a short directory under /tmp.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ihr-");
        try {
            Bundle.Unpacked u = Bundle.unpack(source, dir);
            return replay(u.manifest(), u.inputs(), u.evidence());
        } finally {
            deleteTree(dir);
        }
    }

    private int replay(BootManifest m, Map<String, Path> files, Path evidence) throws IOException, InterruptedException {
        if (check) return check(m, files, evidence);
        printEvidence(evidence, m);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "ihr-run-");
        try {
            List<String> command = Replay.prepare(m, files, work);
            System.out.println("== replay (" + m.arch() + ", Ctrl-A X quits): " + String.join(" ",
                    command.stream().map(ReplayScript::quote).toList()));
            System.out.flush();
            if (printOnly) return 0;
            try (Swtpm tpm = Replay.startTpm(m, files, work)) {
                return Replay.run(command, Duration.ofSeconds(timeoutSeconds));
            }
        } finally {
            deleteTree(work);
        }
    }

    /** The headless replay: the recorded session driven again until the recorded last lines show. */
    private int check(BootManifest m, Map<String, Path> files, Path evidence) throws IOException {
        BootArtifacts a = new BootArtifacts(evidence);
        if (!Files.isRegularFile(a.consoleLog())) return refuse(evidence + " holds no console.log: nothing to compare the replay with");
        List<String> recorded = Files.readAllLines(a.consoleLog());
        List<String> expected = LastLines.last(recorded, checkLines);
        if (expected.isEmpty()) return refuse(a.consoleLog() + " has no meaningful line to compare the replay with");
        List<SessionStep> steps = new ArrayList<>();
        for (String re : answerPrompts) {
            try {
                steps.add(new SessionStep(SessionStep.Kind.RESPOND, java.util.regex.Pattern.compile(re), null, true, null));
            } catch (java.util.regex.PatternSyntaxException e) {
                return refuse("--answer-prompt '" + re + "' is not a regular expression: " + e.getDescription());
            }
        }
        steps.addAll(SessionStep.of(Timeline.read(a.timeline())));
        long secrets = steps.stream().filter(SessionStep::secret).count();
        Deque<String> answers = new ArrayDeque<>();
        if (answersFrom != null) {
            try {
                answers.addAll(answersFrom.equals("-")
                        ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().toList()
                        : Files.readAllLines(Path.of(answersFrom)));
            } catch (IOException e) {
                return refuse("--answer-prompts-from " + answersFrom + ": cannot read it (" + e.getMessage() + ")");
            }
        }
        if (answers.size() < secrets) {
            return refuse("the recorded boot typed " + secrets + " secret(s) (" + String.join("; ",
                    steps.stream().filter(SessionStep::secret).map(SessionStep::toString).toList()) + "); "
                    + (answersFrom == null ? "give them" : answersFrom + " holds " + answers.size() + ";")
                    + " one a line, in order, with --answer-prompts-from FILE (- reads stdin): bundles never hold them");
        }
        System.out.println("== check (" + m.arch() + "): " + steps.size() + " recorded steps, then the last " + expected.size()
                + " lines of " + a.consoleLog().getFileName());
        Path work = Files.createTempDirectory(Path.of("/tmp"), "ihr-run-");
        try {
            List<String> command = Replay.prepare(m, files, work);
            ReplayCheck.Result r;
            try (Swtpm tpm = Replay.startTpm(m, files, work)) {
                r = ReplayCheck.run(m, files, work, command, steps, answers, expected,
                        LastLines.followInput(recorded, checkLines), Duration.ofSeconds(timeoutSeconds));
            }
            for (int i = 0; i < expected.size(); i++) {
                System.out.println((i < r.matched() ? "  same     " : "  MISSING  ") + expected.get(i));
            }
            if (r.same()) {
                System.out.printf(java.util.Locale.ROOT, "repro: same last lines (%d of %d) %.1f s after QEMU started%n",
                        r.matched(), expected.size(), r.seconds());
                return 0;
            }
            System.out.println("== the replay's last lines");
            r.replayed().forEach(System.out::println);
            System.out.printf(java.util.Locale.ROOT, "repro: NOT the same last lines (%d of %d) after %.1f s: %s%n", r.matched(),
                    expected.size(), r.seconds(), r.problem());
            return 1;
        } finally {
            deleteTree(work);
        }
    }

    private void printEvidence(Path dir, BootManifest m) throws IOException {
        BootArtifacts a = new BootArtifacts(dir);
        if (Files.isRegularFile(a.timeline())) {
            System.out.println("== timeline (" + a.timeline() + ")");
            Files.readAllLines(a.timeline()).forEach(System.out::println);
        }
        if (m != null && !m.typed().isEmpty()) System.out.println("== typed on the console: " + String.join(" | ", m.typed()));
        if (Files.isRegularFile(a.consoleLog())) {
            List<String> all = Files.readAllLines(a.consoleLog());
            System.out.println("== last " + Math.min(lines, all.size()) + " console lines (" + a.consoleLog() + ")");
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
        }
        System.out.flush();
    }

    private int refuse(String why) {
        spec.commandLine().getErr().println("repro: " + why);
        spec.commandLine().getErr().flush();
        return Failures.EXIT;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) Files.deleteIfExists(p);
    }
}
