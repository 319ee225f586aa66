package org.initrdharness.vm;

/**
 * A fresh, empty qcow2 disk created in the machine's directory for each boot.
 *
 * @param serial    virtio-blk serial (1-20 characters of [A-Za-z0-9._-])
 * @param sizeBytes the size the guest sees
 */
public record EmptyDisk(String serial, long sizeBytes) {
    public EmptyDisk {
        Disk.checkSerial(serial);
        if (sizeBytes < 512 * 1024) {
            throw new IllegalArgumentException("empty disk '" + serial + "' of " + sizeBytes
                    + " bytes is too small: give at least 512 KiB");
        }
    }

    public static EmptyDisk ofMiB(String serial, long mib) {
        return new EmptyDisk(serial, mib * 1024 * 1024);
    }
}
