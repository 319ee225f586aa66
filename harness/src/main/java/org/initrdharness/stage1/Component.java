package org.initrdharness.stage1;

/** The part of a systemd stage 1 that brought a file in; sizes are reported per component. */
public enum Component {
    SYSTEMD("systemd manager, journald, systemctl, units, generators"),
    UDEV("udevd, udevadm, rules, kmod"),
    FSCK("systemd-fsck, fsck, e2fsck"),
    CRYPTSETUP("systemd-cryptsetup, its generator, libcryptsetup, dmsetup"),
    LVM("lvm2: lvm, its udev rules and event activation, dm_mod"),
    MDRAID("md software RAID: mdadm, its udev rules, the degraded-array timer (md_mod, raid0, raid1, raid10 count under modules)"),
    BTRFS("btrfs: udev's btrfs ready rules (the btrfs module and its dependencies count under modules)"),
    TPM2("TPM2 unlocking: libcryptsetup's systemd-tpm2 token plugin, the tss2 libraries"),
    PLYMOUTH("plymouthd, plugins, renderers, themes, password agent"),
    NETWORK("systemd-networkd and .network files"),
    SSH("SSH unlock: dropbear, its host key, authorized keys forced to the password agent"),
    EXITRD("the shutdown initrd: a unit leaving stage 1's tree in /run/initramfs, systemd-shutdown as /shutdown"),
    SHELL("the shell: static busybox or bash"),
    MODULES("kernel modules, their indexes and modprobe.d"),
    HOOKS("legacy hooks as units"),
    CONFIG("generated configuration: release files, passwd, fstab, crypttab"),
    USER("user additions: units, drop-ins, binaries, files");

    private final String description;

    Component(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
