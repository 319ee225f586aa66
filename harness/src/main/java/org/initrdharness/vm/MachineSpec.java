package org.initrdharness.vm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What to boot: an immutable description of a guest. Build one with {@link #builder(Arch)}.
 *
 * @param name          a short label for logs and the artifact directory ("boot", a test name)
 * @param arch          the guest architecture
 * @param memoryMiB     guest RAM
 * @param cpus          virtual CPUs
 * @param kernel        the kernel image (bzImage/vmlinuz or a vmlinux with the PVH note on
 *                      x86_64, Image on aarch64)
 * @param initrd        the initrd, or null to boot without one
 * @param append        added to the arch's default command line ({@link #kernelCommandLine()})
 * @param disks         disk images, attached in order (vda, vdb, ...) through overlays
 * @param emptyDisks    fresh empty disks, attached after {@code disks}
 * @param nics          virtio-net NICs on restricted user networking
 * @param display       no display, or a display device for screendumps
 * @param extraQemuArgs appended to QEMU's command line as they are
 * @param artifactDir   where console.log, qemu.sh, the timeline and overlays go; null: a new
 *                      temporary directory
 * @param timeoutFactor multiplies every deadline (on top of the accelerator's factor and the
 *                      INITRD_HARNESS_TIMEOUT_FACTOR override)
 * @param accelerator   force an accelerator; null chooses (KVM only after a working probe)
 * @param hotplugSlots  free PCIe ports for hot-plugged disks (aarch64 virt and x86_64 q35 need
 *                      them; x86_64 pc hot-plugs on its root bus)
 * @param kernelEntry   how QEMU enters an x86_64 kernel; null: PVH when the kernel has it
 * @param tpmState      the state directory of a software TPM 2.0 (swtpm) attached to the guest,
 *                      or null for none; it is created if missing and kept after the machine
 */
public record MachineSpec(
        String name,
        Arch arch,
        int memoryMiB,
        int cpus,
        Path kernel,
        Path initrd,
        String append,
        List<Disk> disks,
        List<EmptyDisk> emptyDisks,
        List<Nic> nics,
        Display display,
        List<String> extraQemuArgs,
        Path artifactDir,
        double timeoutFactor,
        Accelerator accelerator,
        int hotplugSlots,
        KernelEntry kernelEntry,
        Path tpmState) {

    public MachineSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(kernel, "kernel: a machine needs a kernel image");
        kernel = kernel.toAbsolutePath().normalize();
        initrd = initrd == null ? null : initrd.toAbsolutePath().normalize();
        append = append == null ? "" : append.trim();
        disks = List.copyOf(disks);
        emptyDisks = List.copyOf(emptyDisks);
        nics = List.copyOf(nics);
        display = display == null ? Display.NONE : display;
        extraQemuArgs = List.copyOf(extraQemuArgs);
        artifactDir = artifactDir == null ? null : artifactDir.toAbsolutePath().normalize();
        tpmState = tpmState == null ? null : tpmState.toAbsolutePath().normalize();
        if (memoryMiB < 64) throw new IllegalArgumentException("memory " + memoryMiB + " MiB is too little: give at least 64");
        if (cpus < 1) throw new IllegalArgumentException("cpus must be at least 1, not " + cpus);
        if (!(timeoutFactor > 0)) throw new IllegalArgumentException("timeout factor must be positive, not " + timeoutFactor);
        if (hotplugSlots < 0) throw new IllegalArgumentException("hotplug slots must not be negative");
        Set<String> serials = new HashSet<>();
        for (Disk d : disks) requireUnique(serials, d.serial());
        for (EmptyDisk d : emptyDisks) requireUnique(serials, d.serial());
    }

    private static void requireUnique(Set<String> serials, String serial) {
        if (!serials.add(serial)) {
            throw new IllegalArgumentException("two disks share the serial '" + serial + "': give each its own");
        }
    }

    /**
     * The arch's defaults (serial console, panic ends the guest) followed by {@link #append()}.
     * x86_64 skips the kernel's IO-APIC timer check: under TCG on a loaded host the timer's first
     * interrupts can come too late for it, and the kernel panics ("IO-APIC + timer doesn't work!").
     * aarch64 turns kernel page-table isolation off: KASLR forces it on for the emulated
     * cortex-a57, and every entry to and return from the kernel then switches address space,
     * which makes TCG flush its whole TLB; that was a third of each boot to stage 2. The same
     * line on every host keeps a replay the same boot.
     */
    public String kernelCommandLine() {
        String defaults = "console=" + arch.console() + " panic=-1" + switch (arch) {
            case X86_64 -> " no_timer_check";
            case AARCH64 -> " kpti=0";
        };
        return append.isEmpty() ? defaults : defaults + " " + append;
    }

    /** Refuses a spec whose files are missing, naming them. */
    public void checkFiles() {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(kernel)) missing.add("kernel " + kernel);
        if (initrd != null && !Files.isRegularFile(initrd)) missing.add("initrd " + initrd);
        for (Disk d : disks) if (!Files.isRegularFile(d.image())) missing.add("disk " + d.image());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(arch + " machine '" + name + "': missing " + String.join(", ", missing));
        }
    }

    public static Builder builder(Arch arch) {
        return new Builder(arch);
    }

    /** A builder starting from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder(arch);
        b.name = name;
        b.memoryMiB = memoryMiB;
        b.cpus = cpus;
        b.kernel = kernel;
        b.initrd = initrd;
        b.append = append;
        b.disks.addAll(disks);
        b.emptyDisks.addAll(emptyDisks);
        b.nics.addAll(nics);
        b.display = display;
        b.extraQemuArgs.addAll(extraQemuArgs);
        b.artifactDir = artifactDir;
        b.timeoutFactor = timeoutFactor;
        b.accelerator = accelerator;
        b.hotplugSlots = hotplugSlots;
        b.kernelEntry = kernelEntry;
        b.tpmState = tpmState;
        return b;
    }

    /** Collects a {@link MachineSpec}: 512 MiB, 1 CPU, no display, two hot-plug slots by default. */
    public static final class Builder {
        private final Arch arch;
        private String name = "machine";
        private int memoryMiB = 512;
        private int cpus = 1;
        private Path kernel;
        private Path initrd;
        private String append = "";
        private final List<Disk> disks = new ArrayList<>();
        private final List<EmptyDisk> emptyDisks = new ArrayList<>();
        private final List<Nic> nics = new ArrayList<>();
        private Display display = Display.NONE;
        private final List<String> extraQemuArgs = new ArrayList<>();
        private Path artifactDir;
        private double timeoutFactor = 1.0;
        private Accelerator accelerator;
        private int hotplugSlots = 2;
        private KernelEntry kernelEntry;
        private Path tpmState;

        private Builder(Arch arch) {
            this.arch = Objects.requireNonNull(arch, "arch");
        }

        public Builder name(String name) { this.name = name; return this; }
        public Builder memoryMiB(int mib) { this.memoryMiB = mib; return this; }
        public Builder cpus(int cpus) { this.cpus = cpus; return this; }
        public Builder kernel(Path kernel) { this.kernel = kernel; return this; }
        public Builder initrd(Path initrd) { this.initrd = initrd; return this; }

        /** Adds words to the kernel command line (after the arch's defaults and earlier appends). */
        public Builder append(String words) {
            if (words != null && !words.isBlank()) append = append.isEmpty() ? words.trim() : append + " " + words.trim();
            return this;
        }

        public Builder disk(Disk disk) { disks.add(Objects.requireNonNull(disk)); return this; }
        public Builder emptyDisk(EmptyDisk disk) { emptyDisks.add(Objects.requireNonNull(disk)); return this; }
        public Builder nic(Nic nic) { nics.add(Objects.requireNonNull(nic)); return this; }
        public Builder display(Display display) { this.display = display; return this; }
        public Builder extraQemuArgs(String... args) { extraQemuArgs.addAll(List.of(args)); return this; }
        public Builder artifactDir(Path dir) { this.artifactDir = dir; return this; }
        public Builder timeoutFactor(double factor) { this.timeoutFactor = factor; return this; }
        public Builder accelerator(Accelerator accelerator) { this.accelerator = accelerator; return this; }
        public Builder hotplugSlots(int slots) { this.hotplugSlots = slots; return this; }
        /** PVH or the bzImage protocol on x86_64; null (the default) takes PVH when the kernel has it. */
        public Builder kernelEntry(KernelEntry entry) { this.kernelEntry = entry; return this; }

        /** Stops the harness's stage 1 at {@code point} (its kernel argument); {@link Machine#breakShell} waits for it. */
        public Builder breakAt(Breakpoint point) { return append(point.kernelArgument()); }

        /** Attaches a software TPM 2.0 whose state lives in {@code stateDir} (kept: reuse it to unseal again). */
        public Builder tpm(Path stateDir) { this.tpmState = stateDir; return this; }

        public MachineSpec build() {
            return new MachineSpec(name, arch, memoryMiB, cpus, kernel, initrd, append, disks, emptyDisks, nics,
                    display, extraQemuArgs, artifactDir, timeoutFactor, accelerator, hotplugSlots, kernelEntry, tpmState);
        }
    }
}
