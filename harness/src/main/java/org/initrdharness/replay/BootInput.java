package org.initrdharness.replay;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file a boot read: its role, where it was, and its content hash, by which a replay finds
 * it again (in a bundle, at the recorded path, or in the harness's cache).
 *
 * @param id     how the command line names it: "kernel", "initrd", "disk-SERIAL"
 * @param role   what it is: kernel (the image QEMU loaded), kernel-source (the bzImage it was
 *               unpacked from: for the record, not needed to replay), initrd, disk, hotplug-disk,
 *               tpm-state (a software TPM's state as the boot began), fw-cfg (a file given through fw_cfg)
 * @param path   the absolute path it had at boot
 * @param sha256 hex
 * @param size   bytes
 * @param format raw or qcow2 for disks, null otherwise
 */
public record BootInput(String id, String role, Path path, String sha256, long size, String format) {
    public BootInput {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
    }

    /** Whether a replay needs the file (the kernel's source bzImage is only a record). */
    public boolean needed() {
        return !role.equals("kernel-source");
    }
}
