package org.initrdharness.images.storage;

import java.nio.file.Path;
import java.util.Map;
import org.initrdharness.vm.Disk;

/**
 * A layout's provisioned disks in the cache: attach them (through overlays, as every disk) to
 * boot a stage 1 on the stack.
 *
 * @param images  disk serial to its raw image
 * @param entry   the cache entry holding them and its manifest
 * @param built   true when this call ran the provisioning machine, false for a cache hit
 * @param seconds how long the call took
 */
public record StorageDisks(StorageLayout layout, Map<String, Path> images, Path entry, boolean built, double seconds) {
    public StorageDisks {
        images = Map.copyOf(images);
    }

    /** The disk with this serial, raw, for a {@code MachineSpec}. */
    public Disk disk(String serial) {
        Path p = images.get(serial);
        if (p == null) throw new IllegalArgumentException("layout " + layout.name() + " has no disk '" + serial + "'");
        return Disk.raw(p, serial);
    }
}
