package org.initrdharness.images.storage;

/**
 * The file system that ends up holding the stage-2 tree (the same init that prints
 * {@code STAGE2 {json}}), copied from the images' stage-2 disk.
 *
 * @param device where it is made: a layer's device (/dev/vg/root)
 * @param type   "ext4"
 * @param label  its label, for {@code root=LABEL=}
 * @param uuid   its UUID, fixed so that the recipe names it
 */
public record RootFileSystem(String device, String type, String label, String uuid) {
    public RootFileSystem {
        if (!type.equals("ext4")) throw new IllegalArgumentException("root file system type '" + type + "': only ext4 so far");
        if (!label.matches("[A-Za-z0-9_-]{1,16}")) throw new IllegalArgumentException("label '" + label + "'");
        if (!uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IllegalArgumentException("uuid '" + uuid + "'");
        }
    }

    /** Makes the file system and fills it from the stage-2 tree mounted read-only at {@code source}. */
    java.util.List<String> create(String source) {
        return java.util.List.of(
                "mkfs.ext4 -q -F -m 0 -L " + label + " -U " + uuid + " " + device,
                "mkdir -p /mnt/new && mount -t ext4 " + device + " /mnt/new",
                "cp -a " + source + "/. /mnt/new/",
                "umount /mnt/new");
    }
}
