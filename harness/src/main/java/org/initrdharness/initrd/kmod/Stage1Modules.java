package org.initrdharness.initrd.kmod;

import java.util.ArrayList;
import java.util.List;

/**
 * The modules a stage 1 asks for to boot a QEMU guest from a virtio disk holding ext4, plain or
 * in LUKS2. Names that a kernel has built in are harmless: the closure reports them and adds
 * nothing. Checked against Debian 12's 6.1 kernels (linux-image-6.1.0-*-amd64 and -arm64): there
 * virtio_blk, virtio_pci, virtio_mmio, ext4, dm_crypt, dm_mod, xts and algif_skcipher are
 * modules on both; virtio and virtio_ring are modules on amd64 but built in on arm64; aes, cbc
 * and sha256 are built in on both. The lists are the same for both arches, so they take none.
 */
public final class Stage1Modules {
    private Stage1Modules() { }

    /**
     * The virtio disk drivers. virtio_pci for PCI machines (x86 pc/q35, aarch64 virt with
     * virtio-blk-pci), virtio_mmio for QEMU's aarch64 virt board with virtio-*-device and for
     * the x86 microvm machine.
     */
    public static List<String> virtioDisk() {
        return List.of("virtio_pci", "virtio_mmio", "virtio_blk");
    }

    /** ext4 (its soft dependency crc32c comes along through the closure). */
    public static List<String> ext4() {
        return List.of("ext4");
    }

    /**
     * LUKS2 with cryptsetup's default aes-xts-plain64: dm_crypt (with dm_mod), the xts template,
     * and the AF_ALG skcipher interface cryptsetup uses to decrypt key slots with the kernel's
     * ciphers. aes itself is built into Debian's kernels; on amd64 aesni_intel would be faster but
     * QEMU's default TCG CPUs do not offer AES-NI.
     */
    public static List<String> luks() {
        return List.of("dm_crypt", "xts", "algif_skcipher");
    }

    /** Everything above, in the order a stage 1 asks for it. */
    public static List<String> defaults() {
        List<String> all = new ArrayList<>(virtioDisk());
        all.addAll(ext4());
        all.addAll(luks());
        return List.copyOf(all);
    }
}
