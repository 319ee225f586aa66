package org.initrdharness.stage1;

import java.nio.file.Path;
import org.initrdharness.vm.Arch;

/**
 * What a stage 1 is built from: a sysroot and the kernel's module directory (the {@code stage1}
 * command takes them from the vm-images of the arch unless told otherwise).
 */
public record Stage1Inputs(Arch arch, Path sysroot, Path modulesDir) {
}
