package org.initrdharness.vm;

/** How QEMU runs the guest's CPU, and how much slower than KVM that is. */
public enum Accelerator {
    /** Hardware virtualisation: only used after a probe boot showed it works. */
    KVM("kvm", 0.3),
    /** QEMU's emulator: works everywhere, the baseline every deadline is written for. */
    TCG("tcg", 1.0);

    private final String qemuName;
    private final double timeoutFactor;

    Accelerator(String qemuName, double timeoutFactor) {
        this.qemuName = qemuName;
        this.timeoutFactor = timeoutFactor;
    }

    /** The -accel value. */
    public String qemuName() { return qemuName; }

    /** How deadlines written for TCG scale under this accelerator. */
    public double timeoutFactor() { return timeoutFactor; }
}
