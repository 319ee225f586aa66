package org.initrdharness.images.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * One layer of a storage stack, put on the disks (or on the layer below) by the provisioning
 * machine with the images' own tools. Each layer says what it runs to build itself and what it
 * runs to let go of its devices before the machine powers off.
 */
public sealed interface Layer {
    /** Shell lines (busybox sh in the provisioning initrd) that build the layer. */
    List<String> create();

    /** Shell lines that close the layer's devices once the file system is written. */
    List<String> close();

    /**
     * An LVM2 volume group over physical volumes, with linear logical volumes in order; the last
     * may take what is left ({@code sizeMiB} 0).
     *
     * @param pvs devices that become physical volumes (disks' {@link BlankDisk#device()} or a
     *            lower layer's device)
     */
    record LvmGroup(String vg, List<String> pvs, List<LogicalVolume> lvs) implements Layer {
        public LvmGroup {
            pvs = List.copyOf(pvs);
            lvs = List.copyOf(lvs);
            if (!vg.matches("[A-Za-z0-9][A-Za-z0-9_]{0,31}")) throw new IllegalArgumentException("volume group name '" + vg + "'");
            if (pvs.isEmpty() || lvs.isEmpty()) throw new IllegalArgumentException("volume group " + vg + " needs PVs and LVs");
        }

        @Override
        public List<String> create() {
            List<String> out = new ArrayList<>();
            out.add("lvm pvcreate -y -ff " + String.join(" ", pvs));
            out.add("lvm vgcreate " + vg + " " + String.join(" ", pvs));
            for (LogicalVolume lv : lvs) {
                out.add("lvm lvcreate -y -W n -n " + lv.name() + " "
                        + (lv.sizeMiB() == 0 ? "-l 100%FREE" : "-L " + lv.sizeMiB() + "m") + " " + vg);
            }
            return out;
        }

        @Override
        public List<String> close() {
            return List.of("lvm vgchange -an " + vg);
        }

        /** The device of logical volume {@code lv}: /dev/VG/LV. */
        public String device(String lv) {
            return "/dev/" + vg + "/" + lv;
        }
    }

    /**
     * A LUKS2 volume on {@code device}, opened as /dev/mapper/NAME for the layers above. The
     * passphrase is the images' public test passphrase; pbkdf2 with few iterations, as the
     * images' own LUKS disk, so that TCG guests unlock it in a moment.
     */
    record Luks(String name, String device, String uuid, String passphrase) implements Layer {
        public Luks {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,31}")) throw new IllegalArgumentException("LUKS volume name '" + name + "'");
            if (!uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                throw new IllegalArgumentException("LUKS uuid '" + uuid + "'");
            }
            if (passphrase.isEmpty() || passphrase.contains("'")) {
                throw new IllegalArgumentException("LUKS volume " + name + ": the passphrase must be non-empty, without quotes");
            }
        }

        @Override
        public List<String> create() {
            return List.of("printf %s '" + passphrase + "' | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2"
                            + " --pbkdf-force-iterations 1000 --uuid " + uuid + " --key-file - " + device,
                    "printf %s '" + passphrase + "' | cryptsetup open --key-file - " + device + " " + name);
        }

        @Override
        public List<String> close() {
            return List.of("cryptsetup close " + name);
        }

        /** Where the opened volume is: /dev/mapper/NAME. */
        public String opened() {
            return "/dev/mapper/" + name;
        }
    }

    /**
     * An md software RAID1 array over {@code devices}, metadata 1.2, opened as /dev/md/NAME for
     * the layers above. Its homehost is "any", so that mdadm in stage 1 treats it as local on
     * every machine (incremental assembly names it md/NAME and arms the degraded-array timer for
     * it, which it does not for foreign arrays). {@code --assume-clean}: the blank disks are all
     * zeros, so the mirrors already agree and no resync runs while a stage 1 boots.
     *
     * @param uuid the array's UUID, 32 hex digits in mdadm's form (xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx)
     */
    record MdRaid(String name, int level, List<String> devices, String uuid) implements Layer {
        public MdRaid {
            devices = List.copyOf(devices);
            if (!name.matches("[a-z][a-z0-9_]{0,15}")) throw new IllegalArgumentException("md array name '" + name + "'");
            if (level != 1) throw new IllegalArgumentException("md array " + name + ": level " + level + ", only 1 so far (the provisioning initrd loads raid1)");
            if (devices.size() < 2) throw new IllegalArgumentException("md array " + name + " needs two devices or more");
            if (!uuid.matches("[0-9a-f]{8}(:[0-9a-f]{8}){3}")) throw new IllegalArgumentException("md array uuid '" + uuid + "'");
        }

        @Override
        public List<String> create() {
            return List.of("mdadm --create " + opened() + " --run --metadata=1.2 --level=" + level + " --raid-devices="
                    + devices.size() + " --homehost=any --name=" + name + " --uuid=" + uuid + " --assume-clean "
                    + String.join(" ", devices) + " </dev/null");
        }

        @Override
        public List<String> close() {
            return List.of("mdadm --stop " + opened());
        }

        /** Where the array is: /dev/md/NAME. */
        public String opened() {
            return "/dev/md/" + name;
        }
    }

    /** A linear logical volume; {@code sizeMiB} 0 takes the rest of the group. */
    record LogicalVolume(String name, int sizeMiB) {
        public LogicalVolume {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_]{0,31}")) throw new IllegalArgumentException("logical volume name '" + name + "'");
            if (sizeMiB < 0) throw new IllegalArgumentException("logical volume " + name + ": negative size");
        }
    }
}
