package org.initrdharness.images.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * The file system that ends up holding the stage-2 tree (the same init that prints
 * {@code STAGE2 {json}}), copied from the images' stage-2 disk.
 *
 * @param device      where it is made: a layer's device (/dev/vg/root) or a disk
 * @param type        "ext4" or "btrfs"
 * @param label       its label, for {@code root=LABEL=}
 * @param uuid        its UUID, fixed so that the recipe names it
 * @param moreDevices btrfs only: further devices of the same file system, data and metadata
 *                    mirrored over all of them (raid1)
 * @param subvolume   btrfs only: the subvolume holding the tree ({@code rootflags=subvol=}), or
 *                    null for the top level
 */
public record RootFileSystem(String device, String type, String label, String uuid, List<String> moreDevices,
                             String subvolume) {
    public RootFileSystem {
        moreDevices = List.copyOf(moreDevices);
        if (!type.equals("ext4") && !type.equals("btrfs")) {
            throw new IllegalArgumentException("root file system type '" + type + "': only ext4 and btrfs");
        }
        if (type.equals("ext4") && (!moreDevices.isEmpty() || subvolume != null)) {
            throw new IllegalArgumentException("root file system " + label + ": more devices and subvolumes are for btrfs");
        }
        if (subvolume != null && !subvolume.matches("[A-Za-z0-9_-]{1,32}")) throw new IllegalArgumentException("subvolume '" + subvolume + "'");
        if (!label.matches("[A-Za-z0-9_-]{1,16}")) throw new IllegalArgumentException("label '" + label + "'");
        if (!uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IllegalArgumentException("uuid '" + uuid + "'");
        }
    }

    /** An ext4 file system on one device. */
    public RootFileSystem(String device, String type, String label, String uuid) {
        this(device, type, label, uuid, List.of(), null);
    }

    /** A btrfs raid1 over {@code devices} (two or more), the tree in {@code subvolume}. */
    public static RootFileSystem btrfsRaid1(List<String> devices, String label, String uuid, String subvolume) {
        if (devices.size() < 2) throw new IllegalArgumentException("btrfs raid1 " + label + " needs two devices or more");
        return new RootFileSystem(devices.get(0), "btrfs", label, uuid, devices.subList(1, devices.size()), subvolume);
    }

    /** Makes the file system and fills it from the stage-2 tree mounted read-only at {@code source}. */
    List<String> create(String source) {
        if (type.equals("ext4")) {
            return List.of(
                    "mkfs.ext4 -q -F -m 0 -L " + label + " -U " + uuid + " " + device,
                    "mkdir -p /mnt/new && mount -t ext4 " + device + " /mnt/new",
                    "cp -a " + source + "/. /mnt/new/",
                    "umount /mnt/new");
        }
        List<String> all = new ArrayList<>(List.of(device));
        all.addAll(moreDevices);
        String profile = moreDevices.isEmpty() ? "" : " -d raid1 -m raid1";
        String target = subvolume == null ? "/mnt/new" : "/mnt/new/" + subvolume;
        List<String> out = new ArrayList<>();
        out.add("mkfs.btrfs -q -f -L " + label + " -U " + uuid + profile + " " + String.join(" ", all));
        // No udev here to register the other devices with the kernel: name them to the mount.
        out.add("mkdir -p /mnt/new && mount -t btrfs -o " + String.join(",", all.stream().map(d -> "device=" + d).toList())
                + " " + device + " /mnt/new");
        if (subvolume != null) out.add("btrfs subvolume create " + target);
        out.add("cp -a " + source + "/. " + target + "/");
        out.add("umount /mnt/new");
        return out;
    }
}
