package org.initrdharness.vm.kernel;

import java.nio.file.Path;
import java.util.Objects;
import org.initrdharness.vm.KernelEntry;

/**
 * What QEMU is given as {@code -kernel} and how it enters it.
 *
 * @param image  the file QEMU loads: the bzImage or Image as given, or the extracted vmlinux
 * @param entry  the entry used
 * @param reason why this entry: asked for, chosen by default, or why PVH was not possible
 */
public record KernelBoot(Path image, KernelEntry entry, String reason) {
    public KernelBoot {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(reason, "reason");
    }

    /** "pvh (reason)": how the timeline and qemu.sh name it. */
    public String describe() {
        return entry + " (" + reason + ")";
    }
}
