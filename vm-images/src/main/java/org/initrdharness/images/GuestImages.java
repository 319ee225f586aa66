package org.initrdharness.images;

import java.nio.file.Path;
import org.initrdharness.vm.Arch;

/**
 * Everything a test guest of one arch is made of, built from one Debian release's packages and cached
 * (see {@link VmImages#ensure}). The files are shared by every test: boot them through
 * overlays, never write to them.
 *
 * @param release        the Debian release the packages come from
 * @param systemdVersion the sysroot's systemd, upstream's number: "252", "257"
 * @param kernel         the boot image (bzImage on x86_64, a raw arm64 Image on aarch64)
 * @param modules        the kernel's modules tree, {@code <...>/lib/modules/<kernelVersion>}, with
 *                       depmod's index files when the host has depmod
 * @param firmware       a {@code lib/firmware} directory beside the modules (empty: the Debian
 *                       kernel package ships none, and virtio guests need none)
 * @param sysroot        a merged-/usr root with systemd, udev, kmod, util-linux, e2fsprogs,
 *                       cryptsetup, plymouth, busybox-static, bash, coreutils and their dependencies
 * @param rootDisk       the stage-2 ext4 image ({@link #rootLabel}, {@link #rootUuid})
 * @param luksDisk       the same filesystem in a LUKS2 volume ({@link #luksUuid})
 * @param luksPassphrase the passphrase of key slot 0
 * @param luksKeyfile    the keyfile of key slot 1
 * @param manifest       JSON: every package with version and sha256, the kernel, every image's sha256
 * @param kernelConfig   the kernel's build configuration ({@code boot/config-<version>})
 */
public record GuestImages(Arch arch, Release release, String systemdVersion, String kernelVersion, Path kernel, Path modules, Path firmware, Path sysroot,
        Path rootDisk, String rootLabel, String rootUuid, Path luksDisk, String luksUuid, String luksPassphrase,
        Path luksKeyfile, Path manifest, Path kernelConfig) {
}
