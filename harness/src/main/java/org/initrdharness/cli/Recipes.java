package org.initrdharness.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.stage1.Stage1Assembler;
import org.initrdharness.stage1.Stage1Inputs;
import org.initrdharness.stage1.Stage1Options;
import org.initrdharness.vm.Arch;

/**
 * {@code bisect --good-options A.json --bad-options B.json}: both stage 1s built with the
 * stage-1 builder from the same sysroot and kernel modules, written uncompressed (bisect reads
 * them back at once) into the artifact directory as good.img and bad.img.
 */
record Recipes(Path good, Path bad, Stage1Inputs inputs, double seconds) {

    static Recipes build(Arch arch, Stage1Options goodOptions, Stage1Options badOptions, Stage1Inputs in, Path dir)
            throws IOException {
        long t0 = System.nanoTime();
        Path good = write(arch, goodOptions, in, dir.resolve("good.img"));
        Path bad = write(arch, badOptions, in, dir.resolve("bad.img"));
        return new Recipes(good, bad, in, (System.nanoTime() - t0) / 1e9);
    }

    private static Path write(Arch arch, Stage1Options o, Stage1Inputs in, Path out) throws IOException {
        InitrdWriter.write(Stage1Assembler.build(arch, o, in.sysroot(), in.modulesDir()).plan(), Compression.parse("none"),
                List.of(), out);
        return out;
    }
}
