package org.initrdharness.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.initrdharness.initrd.Closure;
import org.initrdharness.initrd.ClosureOptions;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.ContentsList;
import org.initrdharness.initrd.CpioWriter;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.Sysroot;
import org.initrdharness.initrd.kmod.KernelModules;
import org.initrdharness.initrd.kmod.ModuleClosure;
import org.initrdharness.initrd.kmod.ModuleLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code build-initrd}: a contents list (plus kernel modules) to a reproducible initrd file. */
@Command(name = "build-initrd", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Builds an initrd from a JSON contents list: each source with its symlinks, directories"
                + " and ELF libraries (resolved inside the sysroot), generated files, empty directories, device"
                + " nodes and kernel modules with their dependencies, as one reproducible newc archive.",
            "The mtime of every entry is SOURCE_DATE_EPOCH (default 1)."})
public final class BuildInitrdCommand implements Callable<Integer>, CliCommand {
    @Option(names = "--contents", paramLabel = "FILE", required = true,
            description = "JSON contents list: [{\"source\": \"/usr/bin/sh\", \"target\": \"/bin/sh\"}, ...]")
    Path contents;

    @Option(names = "--sysroot", paramLabel = "DIR", defaultValue = "/",
            description = "root the sources are read from; nothing outside it is read (default: ${DEFAULT-VALUE})")
    Path sysroot;

    @Option(names = "--kernel-modules", paramLabel = "DIR",
            description = "a kernel's module directory, <root>/lib/modules/<version>")
    Path kernelModules;

    @Option(names = "--module", paramLabel = "NAME", arity = "1..*",
            description = "kernel modules (names or aliases) to add with their dependencies; needs --kernel-modules")
    List<String> modules = new ArrayList<>();

    @Option(names = "--compress", paramLabel = "SPEC", defaultValue = "zstd",
            description = "none, gzip[:1-9], zstd[:1-19], xz[:0-9] or lz4[:1-12] (default: ${DEFAULT-VALUE})")
    String compress;

    @Option(names = "--threads", paramLabel = "N",
            description = "zstd workers, or gzip, xz and lz4 blocks compressed at once (default: one per processor)")
    Integer threads;

    @Option(names = "--prepend", paramLabel = "FILE",
            description = "an uncompressed early archive (CPU microcode) to put before the main one; repeatable")
    List<Path> prepend = new ArrayList<>();

    @Option(names = "--allow-missing", description = "a library or source that cannot be found warns instead of failing")
    boolean allowMissing;

    @Option(names = "--output", paramLabel = "FILE", required = true, description = "the initrd to write")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        long start = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CompressorWarmUp warmUp = null;
        try {
            Compression compression = Compression.parse(compress);
            if (threads != null) compression = compression.withThreads(threads);
            checkArguments();
            ContentsList list = ContentsList.read(contents);
            // Only now, with the arguments and the list found good: a failure before this point
            // exits at once, and never while zstd-jni is still unpacking its library.
            warmUp = CompressorWarmUp.start(compression);
            Closure closure = new Closure(new Sysroot(sysroot), InitrdPlan.builder(),
                    ClosureOptions.defaults().withAllowMissing(allowMissing));
            list.applyTo(closure);
            List<String> warnings = new ArrayList<>(closure.warnings());
            int moduleCount = 0;
            if (kernelModules != null) {
                KernelModules kernel = KernelModules.open(kernelModules);
                ModuleClosure mc = kernel.closure(modules);
                // Put the modules under the plan's own symlinks: /lib/modules lands in /usr/lib/modules
                // when the plan has /lib -> usr/lib (merged /usr).
                ModuleLayout layout = kernel.defaultLayout();
                kernel.addTo(closure.plan(), mc, new ModuleLayout(closure.resolveInPlan(layout.moduleDir()),
                        closure.resolveInPlan(layout.firmwareDir())));
                warnings.addAll(mc.warnings());
                moduleCount = mc.modules().size();
            }
            InitrdPlan plan = closure.build();
            long planned = System.nanoTime();
            InitrdWriter.Result r;
            try {
                r = InitrdWriter.write(plan, compression, prepend, output, CpioWriter.reproducible());
            } catch (LinkageError e) {
                throw new InitrdBuildException("cannot load the " + compression.format().id() + " compressor's native"
                        + " library: it is unpacked into the temporary directory " + System.getProperty("java.io.tmpdir")
                        + ", which must exist and be writable and executable; --compress xz, gzip or lz4 need none", e);
            }
            for (String w : warnings) err.println("warning: " + w);
            err.flush();
            out.printf("%s: %d entries (%d hard links%s), %s archive %s -> %s %s%s in %d ms (plan %d ms)%n",
                    r.output(), r.entries(), r.hardLinks(), kernelModules == null ? "" : ", " + moduleCount + " modules",
                    "newc", mib(r.archiveBytes()), compression, mib(r.fileBytes() - r.prependedBytes()),
                    prepend.isEmpty() ? "" : ", " + mib(r.prependedBytes()) + " prepended",
                    (System.nanoTime() - start) / 1_000_000, (planned - start) / 1_000_000);
            out.flush();
            return 0;
        } catch (InitrdBuildException | IOException e) {
            return Failures.report(spec, "cannot build " + (output == null || output.toString().isEmpty()
                    ? "the initrd" : output), e);
        } finally {
            if (warmUp != null) warmUp.finish();
        }
    }

    /** Everything the arguments alone decide, before any file is read or written. */
    private void checkArguments() {
        if (threads != null && threads > MAX_THREADS) {
            throw new InitrdBuildException("--threads " + threads + " is more than " + MAX_THREADS + "; give 1 to "
                    + MAX_THREADS + " (default: one per processor)");
        }
        if (!modules.isEmpty() && kernelModules == null) {
            throw new InitrdBuildException("--module needs --kernel-modules <root>/lib/modules/<version>");
        }
        if (!Files.isDirectory(sysroot)) {
            throw new InitrdBuildException("--sysroot " + sysroot + " is not a directory");
        }
        if (kernelModules != null && !Files.isDirectory(kernelModules)) {
            throw new InitrdBuildException("--kernel-modules " + kernelModules + " is not a directory");
        }
        OutputPaths.checkOutput("--output", output);
        for (Path p : prepend) {
            if (!Files.isRegularFile(p)) {
                throw new InitrdBuildException("--prepend " + p + (Files.isDirectory(p) ? " is a directory; give the"
                        + " early archive file (microcode .cpio) itself" : " is not a file that exists"));
            }
        }
    }

    /** More would only cost memory: the blocks of one initrd keep a few dozen threads busy at most. */
    static final int MAX_THREADS = 256;

    private static String mib(long bytes) {
        return String.format("%.1f MiB (%d bytes)", bytes / 1048576.0, bytes);
    }
}
