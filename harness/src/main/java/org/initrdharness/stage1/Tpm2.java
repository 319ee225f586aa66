package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.TPM2;

import java.util.List;
import org.initrdharness.vm.Arch;

/**
 * What unlocking a LUKS2 volume with a systemd-tpm2 token needs on top of cryptsetup:
 * libcryptsetup's token plugin and the tss2 libraries systemd dlopen()s. The TPM drivers are
 * not modules on the kernels this is for: Debian builds tpm_tis and tpm_crb in on amd64, and
 * its arm64 kernels have no TIS driver at all (CONFIG_TCG_TIS is not set).
 */
final class Tpm2 {
    private Tpm2() {}

    /** The sonames systemd's tpm2-util loads, the TCTI for /dev/tpmrm0 that esys' loader opens by name. */
    static final List<String> TSS2 = List.of("libtss2-esys.so.0", "libtss2-rc.so.0", "libtss2-mu.so.0", "libtss2-tcti-device.so.0");

    static void compose(Arch arch, Stage1Composition.Collector c) {
        String lib = "/usr/lib/" + arch.triplet() + "/";
        c.want(TPM2, lib + "cryptsetup/libcryptsetup-token-systemd-tpm2.so",
                "libcryptsetup's token plugin (dlopen): reads the systemd-tpm2 token and unseals the key");
        for (String so : TSS2) c.want(TPM2, lib + so, "tss2 (dlopen by systemd or esys): talks to the TPM");
        // From systemd 256 the libraries are named in .note.dlopen; older releases have no note.
        c.dlopen(TPM2, "tpm", "systemd-cryptsetup unseals with the TPM through tss2");
    }
}
