package org.initrdharness.images;

import java.util.List;
import org.initrdharness.vm.Arch;

/** What goes into a guest: the packages asked of apt, and the version of the way they are assembled. */
public final class Recipe {
    /** Bump when the way images are assembled changes: every cached entry is then rebuilt. */
    public static final int VERSION = 2;

    /**
     * The packages a systemd stage 1 is made of, as apt names them; apt adds their dependencies.
     * In Debian 12 systemd-cryptsetup and its generator are in the systemd package itself
     * (see {@link Release#extraPackages()} for later releases).
     */
    public static final List<String> SYSROOT_PACKAGES = List.of(
            "base-files", "systemd", "udev", "kmod", "util-linux", "mount", "e2fsprogs",
            "cryptsetup-bin", "libcryptsetup12", "dmsetup", "plymouth", "plymouth-themes", "plymouth-label",
            "busybox-static", "bash", "coreutils",
            // Storage stacks: stage 1 with {"lvm": true} and the provisioning machine that makes their disks.
            "lvm2", "mdadm", "btrfs-progs",
            // SSH unlock in stage 1 (option sshUnlock): dropbear, smaller than OpenSSH's sshd.
            "dropbear-bin");

    private Recipe() {
    }

    /** {@link #SYSROOT_PACKAGES} and what {@code release} needs beyond them for the same files. */
    public static List<String> sysrootPackages(Release release) {
        List<String> all = new java.util.ArrayList<>(SYSROOT_PACKAGES);
        all.addAll(release.extraPackages());
        return List.copyOf(all);
    }

    /** The meta-package that names a release's current kernel of an arch. */
    public static String kernelMetaPackage(Arch arch) {
        return "linux-image-" + arch.kernelFlavour();
    }
}
