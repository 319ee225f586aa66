package org.initrdharness.images.storage;

import org.initrdharness.vm.Disk;

/**
 * A blank disk the provisioning machine writes a layout onto; the guest finds it as
 * /dev/disk/by-id/virtio-SERIAL, and so does stage 1 when a scenario attaches it.
 *
 * @param serial  virtio-blk serial, which also names the disk's file in the cache
 * @param sizeMiB the size the guest sees
 */
public record BlankDisk(String serial, int sizeMiB) {
    public BlankDisk {
        Disk.checkSerial(serial);
        if (sizeMiB < 8 || sizeMiB > 4096) {
            throw new IllegalArgumentException("disk '" + serial + "': " + sizeMiB + " MiB is outside 8..4096");
        }
    }

    /** The device path the guest sees it at. */
    public String device() {
        return "/dev/disk/by-id/virtio-" + serial;
    }

    /** The disk's file in a cache entry. */
    public String fileName() {
        return serial + ".raw";
    }
}
