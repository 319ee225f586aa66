package org.initrdharness.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code list-initrd F}: the entries of an initrd, like lsinitrd. */
@Command(name = "list-initrd", mixinStandardHelpOptions = true,
        description = {"Lists the entries of an initrd like lsinitrd: mode, links, size (or device numbers),"
                + " path and link target. Reads plain, gzip, zstd, xz and lz4 archives, and early archives"
                + " before the main one."})
public final class ListInitrdCommand implements Callable<Integer>, CliCommand {
    @Parameters(index = "0", paramLabel = "INITRD", description = "the initrd file")
    Path initrd;

    @Option(names = "--summary", description = "print only the archives and their entry counts")
    boolean summaryOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        InitrdReader.Contents c;
        try {
            c = InitrdReader.read(initrd);
        } catch (org.initrdharness.initrd.InitrdBuildException e) {
            return Failures.report(spec, e); // names the file and the offset
        } catch (RuntimeException | java.io.IOException e) {
            return Failures.report(spec, "cannot read " + initrd, e);
        }
        for (InitrdReader.Part p : c.parts()) {
            long n = c.entries().stream().filter(e -> e.archive() == p.index()).count();
            long bytes = c.entries().stream().filter(e -> e.archive() == p.index()).mapToLong(InitrdEntry::size).sum();
            out.printf("# archive %d: %s%s, %d entries, %d bytes of content%n", p.index(),
                    p.compression().id().equals("none") ? "uncompressed" : p.compression().id(),
                    p.offset() >= 0 ? " at offset " + p.offset() : "", n, bytes);
        }
        if (!summaryOnly) {
            for (InitrdEntry e : c.entries()) out.println(line(e));
        }
        out.flush();
        return 0;
    }

    /** One entry as {@code lsinitrd} shows it, without owner and date (always 0:0 and one mtime). */
    static String line(InitrdEntry e) {
        return e.listLine();
    }
}
