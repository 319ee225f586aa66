package org.initrdharness.images;

import java.io.IOException;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.stage1.Stage1Inputs;
import org.initrdharness.stage1.Stage1Sources;
import org.initrdharness.vm.Arch;

/** The default vm-images of a release as a stage 1's sysroot and kernel modules. */
public final class ImageStage1Sources implements Stage1Sources {
    @Override
    public Stage1Inputs inputs(Arch arch, String release) throws IOException {
        GuestImages g = VmImages.ensure(arch, Release.parse(release), CacheDirectory.root(), Progress.stderr());
        return new Stage1Inputs(arch, g.sysroot(), g.modules());
    }
}
