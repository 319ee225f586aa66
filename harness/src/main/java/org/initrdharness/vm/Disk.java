package org.initrdharness.vm;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A disk image attached as virtio-blk. The guest writes to a qcow2 overlay in the machine's
 * directory, never to {@code image}. The serial shows up as /dev/disk/by-id/virtio-&lt;serial&gt;
 * and /sys/block/vdX/serial.
 *
 * @param image    the base image (absolute after normalisation)
 * @param format   raw or qcow2
 * @param serial   virtio-blk serial: 1-20 characters of [A-Za-z0-9._-]
 * @param readOnly attach read-only: the guest sees a read-only device
 */
public record Disk(Path image, DiskFormat format, String serial, boolean readOnly) {

    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9._-]{1,20}");

    public Disk {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(format, "format");
        image = image.toAbsolutePath().normalize();
        checkSerial(serial);
    }

    /** A disk whose format is guessed from its name (".qcow2" or raw). */
    public static Disk of(Path image, String serial) {
        return new Disk(image, DiskFormat.guess(image), serial, false);
    }

    public static Disk raw(Path image, String serial) {
        return new Disk(image, DiskFormat.RAW, serial, false);
    }

    public static Disk qcow2(Path image, String serial) {
        return new Disk(image, DiskFormat.QCOW2, serial, false);
    }

    /** The same disk, attached read-only. */
    public Disk asReadOnly() {
        return new Disk(image, format, serial, true);
    }

    public static void checkSerial(String serial) {
        if (serial == null || !SERIAL.matcher(serial).matches()) {
            throw new IllegalArgumentException("disk serial '" + serial
                    + "' is not usable: virtio-blk takes 1-20 characters of [A-Za-z0-9._-]");
        }
    }
}
