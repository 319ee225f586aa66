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

    /** The btrfs file system's UUID: {@code root=UUID=...}. */
    public static final String BTRFS_UUID = "5e72a9e0-0015-4a1b-8c3d-1a2b3c4d5e6f";

    /**
     * NixOS's systemd-initrd-btrfs-raid: one btrfs over two 160 MiB disks (serials btra, btrb;
     * btrfs wants over 100 MiB a device), data and metadata raid1, the stage-2 tree in subvolume
     * "root" ({@code rootflags=subvol=root}), the top level otherwise empty.
     */
    public static final StorageLayout BTRFS_RAID1 = new StorageLayout("btrfs-raid1",
            List.of(new BlankDisk("btra", 160), new BlankDisk("btrb", 160)), List.of(),
            RootFileSystem.btrfsRaid1(List.of(new BlankDisk("btra", 160).device(), new BlankDisk("btrb", 160).device()),
                    "btrfsroot", BTRFS_UUID, "root"));

    /** LUKS on LVM: the LUKS2 header UUID inside the LV, {@code rd.luks.uuid=}. */
    public static final String LUKS_ON_LVM_UUID = "1c5a0000-0016-4a1b-8c3d-1a2b3c4d5e6f";
    public static final Layer.LvmGroup LUKS_ON_LVM_GROUP = new Layer.LvmGroup("vgcrypt",
            List.of(new BlankDisk("lvmpv", 48).device()), List.of(new Layer.LogicalVolume("cryptroot", 0)));
    public static final Layer.Luks LUKS_IN_LV = new Layer.Luks("lukslv", LUKS_ON_LVM_GROUP.device("cryptroot"),
            LUKS_ON_LVM_UUID, org.initrdharness.images.disk.LuksVolume.PASSPHRASE);

    /**
     * dracut's LUKS on LVM: a volume group "vgcrypt" on one disk (serial lvmpv), its LV
     * "cryptroot" holding a LUKS2 volume (the images' passphrase), ext4 label luksonlvm inside.
     */
    public static final StorageLayout LUKS_ON_LVM = new StorageLayout("luks-on-lvm",
            List.of(new BlankDisk("lvmpv", 48)), List.of(LUKS_ON_LVM_GROUP, LUKS_IN_LV),
            new RootFileSystem(LUKS_IN_LV.opened(), "ext4", "luksonlvm", "5e72a9e0-0016-4a1b-8c3d-1a2b3c4d5e6f"));

    /** The stacked layout's array UUID and LUKS header UUID. */
    public static final String STACK_MD_UUID = "5e72a9e0:00174a1b:8c3d1a2b:3c4d5e70";
    public static final String STACK_LUKS_UUID = "1c5a0000-0017-4a1b-8c3d-1a2b3c4d5e6f";
    public static final Layer.MdRaid STACK_RAID1 = new Layer.MdRaid("stack", 1,
            List.of(new BlankDisk("stka", 48).device(), new BlankDisk("stkb", 48).device()), STACK_MD_UUID);
    public static final Layer.Luks STACK_LUKS = new Layer.Luks("cryptmd", STACK_RAID1.opened(), STACK_LUKS_UUID,
            org.initrdharness.images.disk.LuksVolume.PASSPHRASE);
    public static final Layer.LvmGroup STACK_GROUP = new Layer.LvmGroup("vgstack", List.of(STACK_LUKS.opened()),
            List.of(new Layer.LogicalVolume("root", 0)));

    /**
     * dracut's TEST-26: an md RAID1 over two 48 MiB disks (serials stka, stkb), LUKS2 on the
     * array, a volume group "vgstack" inside, root on its LV (label stackroot).
     */
    public static final StorageLayout RAID1_LUKS_LVM = new StorageLayout("raid1-luks-lvm",
            List.of(new BlankDisk("stka", 48), new BlankDisk("stkb", 48)), List.of(STACK_RAID1, STACK_LUKS, STACK_GROUP),
            new RootFileSystem(STACK_GROUP.device("root"), "ext4", "stackroot", "5e72a9e0-0017-4a1b-8c3d-1a2b3c4d5e6f"));

    /** Every layout, by name. */
    public static final java.util.Map<String, StorageLayout> ALL = java.util.Map.of(LVM_TWO_DISKS.name(), LVM_TWO_DISKS,
            LVM_ON_LUKS.name(), LVM_ON_LUKS, RAID1_TWO_DISKS.name(), RAID1_TWO_DISKS,
            BTRFS_RAID1.name(), BTRFS_RAID1, LUKS_ON_LVM.name(), LUKS_ON_LVM,
            RAID1_LUKS_LVM.name(), RAID1_LUKS_LVM);

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
