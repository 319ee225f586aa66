package org.initrdharness.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Progress;
import org.initrdharness.images.Release;
import org.initrdharness.images.VmImages;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.stage1.Component;
import org.initrdharness.stage1.Stage1Assembler;
import org.initrdharness.stage1.Stage1Image;
import org.initrdharness.stage1.Stage1Inputs;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stage1}: compose a systemd stage 1 and write it as an initrd. In vm-images because its
 * default inputs are the guest images; in package {@code cli} because the help lists commands
 * sorted by class name.
 */
@Command(name = "stage1", mixinStandardHelpOptions = true,
        description = {"Composes a systemd stage 1 (systemd, udev, cryptsetup, plymouth, kernel modules, legacy"
                + " hooks) from a sysroot and a kernel's modules, writes it as an initrd, and prints its size"
                + " per component. Without --sysroot it uses the default vm-images of the arch, building them"
                + " if needed. Without --options it boots whatever root the kernel command line names"
                + " (root=, rd.luks.uuid=, rd.luks.name=)."})
public final class Stage1Command implements Callable<Integer>, CliCommand {
    @Option(names = "--arch", required = true, paramLabel = "ARCH", description = "x86_64 or aarch64")
    String arch;

    @Option(names = "--release", paramLabel = "RELEASE", defaultValue = "bookworm",
            description = "the images' Debian release: bookworm (systemd 252) or trixie (systemd 257);"
                    + " default ${DEFAULT-VALUE}. Ignored with --sysroot")
    String release;

    static final class Source {
        @Option(names = "--images", paramLabel = "DIR", description = "the vm-images cache directory to use")
        Path images;

        @ArgGroup(exclusive = false)
        Explicit explicit;
    }

    static final class Explicit {
        @Option(names = "--sysroot", required = true, paramLabel = "DIR", description = "the root to copy from")
        Path sysroot;

        @Option(names = "--kernel-modules", required = true, paramLabel = "DIR",
                description = "the kernel's <root>/lib/modules/<version>")
        Path modules;
    }

    @ArgGroup(exclusive = true)
    Source source;

    @Option(names = "--options", paramLabel = "FILE", description = "stage-1 options as JSON")
    Path options;

    @Option(names = "--compress", paramLabel = "FORMAT[:LEVEL]", defaultValue = "zstd:19",
            description = "none, gzip, zstd, xz or lz4, with a level (default: ${DEFAULT-VALUE})")
    String compress;

    @Option(names = "--output", paramLabel = "FILE", description = "where to write the initrd")
    Path output;

    @Option(names = "--list", description = "print every entry and why it went in")
    boolean list;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Arch a = Arch.parse(arch);
            if (source != null && source.explicit != null && spec.commandLine().getParseResult().hasMatchedOption("--release")) {
                throw new IllegalArgumentException("--release names the images' release; with --sysroot the sysroot decides");
            }
            // Arguments and options first: a typo must not cost an image build.
            if (output == null && !list) {
                throw new IllegalArgumentException("give --output FILE (or --list to only show the contents)");
            }
            if (output != null) OutputPaths.checkOutput("--output", output);
            Compression.parse(compress);
            if (source != null && source.images != null && !Files.isDirectory(source.images)) {
                throw new IllegalArgumentException("--images " + source.images + " is not a directory; give an image"
                        + " cache that exists (create the directory first to start a new cache there)");
            }
            Stage1Options o = options == null ? Stage1Options.defaults() : Stage1Options.read(options);
            Stage1Inputs in;
            if (source != null && source.explicit != null) {
                in = new Stage1Inputs(a, source.explicit.sysroot, source.explicit.modules);
            } else {
                Release r = Release.parse(release);
                GuestImages g = VmImages.ensure(a, r, source == null || source.images == null ? CacheDirectory.root()
                        : source.images, Progress.stderr());
                in = new Stage1Inputs(a, g.sysroot(), g.modules());
            }
            long t0 = System.nanoTime();
            Stage1Image image = Stage1Assembler.build(a, o, in.sysroot(), in.modulesDir());
            long composed = System.nanoTime();
            if (list) {
                for (PlanEntry e : image.plan().entries()) {
                    out.printf("%-10s %s  (%s)%n", image.componentOf(e.path()).id(), e.path() + target(e), e.reason());
                }
            }
            image.warnings().forEach(w -> spec.commandLine().getErr().println("stage1: warning: " + w));
            out.printf("%-10s %8s %12s  %s%n", "component", "entries", "bytes", "what");
            for (Map.Entry<Component, Stage1Image.Size> s : image.sizes().entrySet()) {
                out.printf("%-10s %8d %12d  %s%n", s.getKey().id(), s.getValue().entries(), s.getValue().bytes(),
                        s.getKey().description());
            }
            out.printf("%-10s %8d %12d  uncompressed, kernel %s, %s%n", "total", image.plan().size(),
                    image.totalBytes(), image.kernelVersion(), a.id());
            if (output != null) {
                Compression c = Compression.parse(compress);
                InitrdWriter.Result r = InitrdWriter.write(image.plan(), c, List.of(), output);
                long done = System.nanoTime();
                out.printf("wrote %s: %d bytes (%.1f MB, %s level %d), %d entries; composed in %.1f s, written in %.1f s%n",
                        output, Files.size(output), Files.size(output) / 1e6, c.format().id(), c.effectiveLevel(),
                        r.entries(), (composed - t0) / 1e9, (done - composed) / 1e9);
            }
            out.flush();
            return 0;
        } catch (Exception e) {
            return Failures.report(spec, "cannot build the " + arch + " stage 1", e);
        }
    }

    private static String target(PlanEntry e) {
        return e instanceof PlanEntry.Symlink s ? " -> " + s.target() : "";
    }
}
