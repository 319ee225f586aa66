package org.initrdharness.images.storage;

import java.util.List;

/** The layouts the storage scenarios boot. */
public final class StorageLayouts {
    /** The root LV's file system label: {@code root=LABEL=lvmroot}. */
    public static final String LVM_ROOT_LABEL = "lvmroot";
    public static final String LVM_ROOT_UUID = "5e72a9e0-0012-4a1b-8c3d-1a2b3c4d5e6f";
    /** The volume group: {@code root=/dev/vg/root}. */
    public static final Layer.LvmGroup LVM_GROUP = new Layer.LvmGroup("vg",
            List.of(new BlankDisk("pv0", 32).device(), new BlankDisk("pv1", 32).device()),
            List.of(new Layer.LogicalVolume("root", 0)));

    /**
     * Root on one linear LV of a volume group over two 32 MiB disks (serials pv0, pv1): the LV
     * takes all extents, so it spans both, and a missing disk leaves the group incomplete.
     */
    public static final StorageLayout LVM_TWO_DISKS = new StorageLayout("lvm-two-disks",
            List.of(new BlankDisk("pv0", 32), new BlankDisk("pv1", 32)), List.of(LVM_GROUP),
            new RootFileSystem(LVM_GROUP.device("root"), "ext4", LVM_ROOT_LABEL, LVM_ROOT_UUID));

    /** The LUKS2 header UUID under the LVM-on-LUKS group: {@code rd.luks.uuid=}. */
    public static final String LUKS_UUID = "1c5a0000-0012-4a1b-8c3d-1a2b3c4d5e6f";
    public static final Layer.Luks LUKS = new Layer.Luks("cryptpv", new BlankDisk("lukspv", 48).device(), LUKS_UUID,
            org.initrdharness.images.disk.LuksVolume.PASSPHRASE);
    public static final Layer.LvmGroup LVM_ON_LUKS_GROUP = new Layer.LvmGroup("vgluks", List.of(LUKS.opened()),
            List.of(new Layer.LogicalVolume("root", 0)));

    /**
     * dracut's and NixOS's LVM-on-LUKS: one LUKS2 volume on one disk (serial lukspv, the images'
     * passphrase), a volume group "vgluks" in it, root on its one LV (label lvmluksroot).
     */
    public static final StorageLayout LVM_ON_LUKS = new StorageLayout("lvm-on-luks",
            List.of(new BlankDisk("lukspv", 48)), List.of(LUKS, LVM_ON_LUKS_GROUP),
            new RootFileSystem(LVM_ON_LUKS_GROUP.device("root"), "ext4", "lvmluksroot", "5e72a9e0-0013-4a1b-8c3d-1a2b3c4d5e6f"));

    /** The RAID1 array's UUID as mdadm writes it: {@code root=/dev/disk/by-id/md-uuid-...}. */
    public static final String RAID1_UUID = "5e72a9e0:00124a1b:8c3d1a2b:3c4d5e70";
    public static final Layer.MdRaid RAID1 = new Layer.MdRaid("root", 1,
            List.of(new BlankDisk("mda", 32).device(), new BlankDisk("mdb", 32).device()), RAID1_UUID);

    /**
     * Root on an md RAID1 mirror over two 32 MiB disks (serials mda, mdb), metadata 1.2, named
     * "root" with homehost "any"; ext4 label raid1root on it. Leave mdb out for a degraded array.
     */
    public static final StorageLayout RAID1_TWO_DISKS = new StorageLayout("raid1-two-disks",
            List.of(new BlankDisk("mda", 32), new BlankDisk("mdb", 32)), List.of(RAID1),
            new RootFileSystem(RAID1.opened(), "ext4", "raid1root", "5e72a9e0-0014-4a1b-8c3d-1a2b3c4d5e6f"));

    /** Every layout, by name. */
    public static final java.util.Map<String, StorageLayout> ALL = java.util.Map.of(LVM_TWO_DISKS.name(), LVM_TWO_DISKS,
            LVM_ON_LUKS.name(), LVM_ON_LUKS, RAID1_TWO_DISKS.name(), RAID1_TWO_DISKS);

    private StorageLayouts() {
    }

    /** The layout called {@code name}; an unknown name is refused with the known ones. */
    public static StorageLayout byName(String name) {
        StorageLayout l = ALL.get(name);
        if (l == null) {
            throw new IllegalArgumentException("--storage: unknown layout '" + name + "': use one of "
                    + new java.util.TreeSet<>(ALL.keySet()));
        }
        return l;
    }
}
