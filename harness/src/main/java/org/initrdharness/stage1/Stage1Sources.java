package org.initrdharness.stage1;

import java.io.IOException;
import java.util.Optional;
import java.util.ServiceLoader;
import org.initrdharness.vm.Arch;

/**
 * Where a stage 1 is built from when the user names no sysroot: the vm-images module provides
 * its guest images of a Debian release (through {@link ServiceLoader}); without it the user
 * names a sysroot and a module directory.
 */
public interface Stage1Sources {

    /** The sysroot and kernel modules of {@code release} ("bookworm", "trixie") for {@code arch}, built if needed. */
    Stage1Inputs inputs(Arch arch, String release) throws IOException;

    /** The provider on the class path, if any. */
    static Optional<Stage1Sources> find() {
        return ServiceLoader.load(Stage1Sources.class).findFirst();
    }
}
