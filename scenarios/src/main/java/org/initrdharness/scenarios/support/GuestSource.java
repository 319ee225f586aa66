package org.initrdharness.scenarios.support;

/**
 * Names of the suite parameters that tell scenarios where to boot from and where to leave their
 * artifacts; the matrix command sets them, surefire's suite files may too.
 */
public final class GuestSource {
    /** Where boots leave console logs, timelines and replay commands. */
    public static final String REPORT_DIR = "initrd-harness.report-dir";
    /** A kernel the user brings: scenarios that rely only on command-line conventions boot it. */
    public static final String USER_KERNEL = "initrd-harness.kernel";
    /** The initrd the user brings, with {@link #USER_KERNEL}. */
    public static final String USER_INITRD = "initrd-harness.initrd";
    /** How x86_64 kernels are entered: "pvh" or "bzimage"; empty: PVH when the kernel has it. */
    public static final String KERNEL_ENTRY = "initrd-harness.kernel-entry";

    /** When a boot is packed into a bundle beside its artifact directory: "always", "failed" (the default) or "never". */
    public static final String BUNDLES = "initrd-harness.bundles";

    /** Kernel arguments added, last, to every boot of the run ({@code matrix --append}). */
    public static final String APPEND = "initrd-harness.append";

    private GuestSource() {
    }
}
