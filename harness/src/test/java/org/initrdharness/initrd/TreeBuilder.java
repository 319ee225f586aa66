package org.initrdharness.initrd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.initrd.elf.ElfFile;
import org.initrdharness.initrd.elf.Gcc;

/** A temporary directory tree for sysroot tests: files, links, and tiny ELF objects built by gcc. */
final class TreeBuilder {
    final Path root;

    TreeBuilder() throws IOException {
        root = Files.createTempDirectory("sysroot");
    }

    Path host(String p) {
        return root.resolve(p.substring(1));
    }

    TreeBuilder file(String p, String content) throws IOException {
        Files.createDirectories(host(p).getParent());
        Files.writeString(host(p), content);
        return this;
    }

    TreeBuilder bytes(String p, byte[] content) throws IOException {
        Files.createDirectories(host(p).getParent());
        Files.write(host(p), content);
        return this;
    }

    TreeBuilder dir(String p) throws IOException {
        Files.createDirectories(host(p));
        return this;
    }

    TreeBuilder link(String p, String target) throws IOException {
        Files.createDirectories(host(p).getParent());
        Files.createSymbolicLink(host(p), Path.of(target));
        return this;
    }

    /**
     * A shared library {@code p} with soname {@code soname}, linked against {@code needs}
     * (sonames, found at link time in {@code linkDirs} of this tree), with extra linker flags.
     */
    TreeBuilder library(String p, String soname, List<String> needs, List<String> linkDirs, String... flags)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-shared", "-fPIC", "-nostdlib", "-Wl,-soname," + soname));
        addLinks(args, needs, linkDirs);
        args.addAll(List.of(flags));
        Gcc.compile(host(p), "int f_" + Math.abs(p.hashCode()) + "(void){return 1;}\n", args.toArray(String[]::new));
        return this;
    }

    /** An executable {@code p} (no libc; its interpreter copied from the host) linked against {@code needs}. */
    TreeBuilder executable(String p, List<String> needs, List<String> linkDirs, String... flags)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-nostdlib", "-Wl,-e,main"));
        addLinks(args, needs, linkDirs);
        args.addAll(List.of(flags));
        Gcc.compile(host(p), "int main(void){return 0;}\n", args.toArray(String[]::new));
        String interp = ElfFile.read(host(p)).interpreter().orElseThrow();
        if (!Files.exists(host(interp), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Path real = Path.of(interp).toRealPath();
            Files.createDirectories(host(interp).getParent());
            Files.copy(real, host(interp));
        }
        return this;
    }

    private void addLinks(List<String> args, List<String> needs, List<String> linkDirs) {
        for (String d : linkDirs) args.add("-L" + host(d));
        args.add("-Wl,--no-as-needed");
        for (String n : needs) args.add("-l:" + n);
    }

    Sysroot sysroot() {
        return new Sysroot(root);
    }
}
