package org.initrdharness.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code diff-initrd A B}: what a stage-1 change did to the image. */
@Command(name = "diff-initrd", mixinStandardHelpOptions = true,
        description = {"Compares two initrds entry by entry: '+' added, '-' removed, '~' changed (mode, size,"
                + " content hash, link target, device numbers). Exit status 0 when they hold the same,"
                + " 1 when they differ, 2 on error."})
public final class DiffInitrdCommand implements Callable<Integer>, CliCommand {
    @Parameters(index = "0", paramLabel = "A", description = "the initrd before")
    Path before;

    @Parameters(index = "1", paramLabel = "B", description = "the initrd after")
    Path after;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        InitrdReader.Contents a;
        InitrdReader.Contents b;
        try {
            a = InitrdReader.read(before);
        } catch (org.initrdharness.initrd.InitrdBuildException e) {
            return Failures.report(spec, e); // names the file and the offset
        } catch (RuntimeException | java.io.IOException e) {
            return Failures.report(spec, "cannot read " + before, e);
        }
        try {
            b = InitrdReader.read(after);
        } catch (org.initrdharness.initrd.InitrdBuildException e) {
            return Failures.report(spec, e); // names the file and the offset
        } catch (RuntimeException | java.io.IOException e) {
            return Failures.report(spec, "cannot read " + after, e);
        }
        InitrdDiff diff = InitrdDiff.of(a, b);
        PrintWriter out = spec.commandLine().getOut();
        for (InitrdEntry e : diff.removed()) out.println("- " + ListInitrdCommand.line(e));
        for (InitrdEntry e : diff.added()) out.println("+ " + ListInitrdCommand.line(e));
        for (InitrdDiff.Change c : diff.changed()) {
            out.println("~ " + c.after().path() + ": " + String.join(", ", c.differences()));
        }
        out.printf("%d added, %d removed, %d changed, %d unchanged%n", diff.added().size(), diff.removed().size(),
                diff.changed().size(), diff.unchanged());
        out.flush();
        return diff.isEmpty() ? 0 : 1;
    }
}
