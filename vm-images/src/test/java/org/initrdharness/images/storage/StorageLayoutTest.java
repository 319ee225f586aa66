package org.initrdharness.images.storage;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.images.GuestImages;
import org.initrdharness.images.Manifest;
import org.initrdharness.images.Release;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

public class StorageLayoutTest {

    @Test
    public void theScriptBuildsTheStackFillsTheRootAndClosesTheGroup() {
        List<String> s = StorageLayouts.LVM_TWO_DISKS.script();
        assertEquals(s.get(0), "lvm pvcreate -y -ff /dev/disk/by-id/virtio-pv0 /dev/disk/by-id/virtio-pv1");
        assertEquals(s.get(1), "lvm vgcreate vg /dev/disk/by-id/virtio-pv0 /dev/disk/by-id/virtio-pv1");
        assertEquals(s.get(2), "lvm lvcreate -y -W n -n root -l 100%FREE vg");
        assertTrue(s.get(3).startsWith("mkfs.ext4 ") && s.get(3).contains("-L lvmroot") && s.get(3).endsWith(" /dev/vg/root"), s.get(3));
        assertEquals(s.get(5), "cp -a /mnt/stage2/. /mnt/new/");
        assertEquals(s.get(s.size() - 1), "lvm vgchange -an vg", "the group is closed before power-off");
    }

    @Test
    public void layersCloseInTheReverseOrderTheyWereMadeIn() {
        List<String> s = StorageLayouts.LVM_ON_LUKS.script();
        assertTrue(s.get(0).contains("cryptsetup luksFormat") && s.get(0).endsWith(" /dev/disk/by-id/virtio-lukspv"), s.get(0));
        assertTrue(s.get(1).endsWith("cryptsetup open --key-file - /dev/disk/by-id/virtio-lukspv cryptpv"), s.get(1));
        assertEquals(s.get(2), "lvm pvcreate -y -ff /dev/mapper/cryptpv");
        assertEquals(s.subList(s.size() - 2, s.size()), List.of("lvm vgchange -an vgluks", "cryptsetup close cryptpv"));
    }

    @Test
    public void theMirrorIsMadeWithItsUuidAndHomehostAnyAndStoppedBeforePowerOff() {
        List<String> s = StorageLayouts.RAID1_TWO_DISKS.script();
        assertEquals(s.get(0), "mdadm --create /dev/md/root --run --metadata=1.2 --level=1 --raid-devices=2 --homehost=any"
                + " --name=root --uuid=" + StorageLayouts.RAID1_UUID + " --assume-clean /dev/disk/by-id/virtio-mda"
                + " /dev/disk/by-id/virtio-mdb </dev/null");
        assertTrue(s.get(1).startsWith("mkfs.ext4 ") && s.get(1).endsWith(" /dev/md/root"), s.get(1));
        assertEquals(s.get(s.size() - 1), "mdadm --stop /dev/md/root");
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> new Layer.MdRaid("root", 5, List.of("/dev/vda", "/dev/vdb"), StorageLayouts.RAID1_UUID));
        assertTrue(e.getMessage().contains("level 5"), e.getMessage());
    }

    @Test
    public void btrfsRaid1IsMadeOverBothDisksWithTheTreeInItsSubvolume() {
        List<String> s = StorageLayouts.BTRFS_RAID1.script();
        assertEquals(s.get(0), "mkfs.btrfs -q -f -L btrfsroot -U " + StorageLayouts.BTRFS_UUID
                + " -d raid1 -m raid1 /dev/disk/by-id/virtio-btra /dev/disk/by-id/virtio-btrb");
        assertEquals(s.get(1), "mkdir -p /mnt/new && mount -t btrfs -o device=/dev/disk/by-id/virtio-btra,"
                + "device=/dev/disk/by-id/virtio-btrb /dev/disk/by-id/virtio-btra /mnt/new");
        assertEquals(s.subList(2, s.size()), List.of("btrfs subvolume create /mnt/new/root",
                "cp -a /mnt/stage2/. /mnt/new/root/", "umount /mnt/new"));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> new RootFileSystem("/dev/vda", "ext4", "x", StorageLayouts.BTRFS_UUID, List.of(), "root"));
        assertTrue(e.getMessage().contains("for btrfs"), e.getMessage());
    }

    @Test
    public void badNamesAreRefusedNamingThem() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> new Layer.LvmGroup("v g", List.of("/dev/vda"), List.of(new Layer.LogicalVolume("root", 0))));
        assertTrue(e.getMessage().contains("'v g'"), e.getMessage());
        e = expectThrows(IllegalArgumentException.class, () -> new StorageLayout("x", List.of(new BlankDisk("a", 32),
                new BlankDisk("a", 32)), List.of(), StorageLayouts.LVM_TWO_DISKS.root()));
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    /** Only what the disks are made of moves the key: the layout, the storage tools' versions, release, arch. */
    @Test
    public void theCacheKeyFollowsTheLayoutAndTheStoragePackagesOnly() throws Exception {
        Path dir = Files.createTempDirectory("storage-key");
        String base = StorageLayoutTest.key(dir, Arch.X86_64, "2.03.16-2", "22.08", StorageLayouts.LVM_TWO_DISKS);
        assertEquals(key(dir, Arch.X86_64, "2.03.16-2", "22.08", StorageLayouts.LVM_TWO_DISKS), base, "stable");
        assertTrue(base.startsWith("storage-bookworm-x86_64-lvm-two-disks-"), base);
        assertEquals(key(dir, Arch.X86_64, "2.03.16-2", "24.04", StorageLayouts.LVM_TWO_DISKS), base,
                "plymouth does not touch the disks");
        assertNotEquals(key(dir, Arch.X86_64, "2.03.16-3", "22.08", StorageLayouts.LVM_TWO_DISKS), base, "lvm2 changed");
        assertNotEquals(key(dir, Arch.AARCH64, "2.03.16-2", "22.08", StorageLayouts.LVM_TWO_DISKS), base, "other arch");
        StorageLayout smaller = new StorageLayout("lvm-two-disks", StorageLayouts.LVM_TWO_DISKS.disks(),
                List.of(new Layer.LvmGroup("vg", StorageLayouts.LVM_GROUP.pvs(), List.of(new Layer.LogicalVolume("root", 40)))),
                StorageLayouts.LVM_TWO_DISKS.root());
        assertNotEquals(key(dir, Arch.X86_64, "2.03.16-2", "22.08", smaller), base, "another recipe, other disks");
    }

    private static String key(Path dir, Arch arch, String lvm2, String plymouth, StorageLayout layout) throws Exception {
        Path manifest = dir.resolve("manifest-" + arch.id() + "-" + lvm2 + "-" + plymouth + ".json");
        Manifest.Image img = new Manifest.Image("x", 1, "ab");
        new Manifest(2, arch.id(), arch.debianArch(), "bookworm", "e", new Manifest.Kernel("6.1.0-57-amd64", "linux-image", "6.1.1", "cd"),
                new Manifest.Sysroot(1, 1, List.of()),
                List.of(new Manifest.Package("lvm2", lvm2, "amd64", 1, "ef"), new Manifest.Package("plymouth", plymouth, "amd64", 1, "01")),
                new Manifest.Stage2("stage2root", "u", "l", "p", "pbkdf2", 1000), new Manifest.Images(img, img, img, img, img))
                .write(manifest);
        GuestImages g = new GuestImages(arch, Release.BOOKWORM, "252", "6.1.0-57-amd64", dir, dir, dir, dir, dir, "stage2root",
                "u", dir, "l", "p", dir, manifest, dir);
        return Provisioner.entryName(g, layout);
    }
}
