package org.initrdharness.vm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.vm.kernel.KernelBoot;

/**
 * QEMU's command line for a {@link MachineSpec}: a pure function of the spec, the accelerator
 * and where the machine's files are, so that it can be checked without starting anything and
 * replayed by hand.
 */
public final class QemuCommand {

    /**
     * Where a started machine keeps its sockets and disks, the file its journal port writes to,
     * or null, swtpm's control socket, or null, and the second console's socket
     * ({@link Arch#secondConsole()}), or null.
     */
    public record Layout(Path consoleSocket, Path qmpSocket, List<Path> diskFiles, List<Path> emptyDiskFiles, Path journalFile,
            Path tpmSocket, Path secondConsoleSocket) {
        public Layout {
            diskFiles = List.copyOf(diskFiles);
            emptyDiskFiles = List.copyOf(emptyDiskFiles);
        }

        public Layout(Path consoleSocket, Path qmpSocket, List<Path> diskFiles, List<Path> emptyDiskFiles, Path journalFile,
                Path tpmSocket) {
            this(consoleSocket, qmpSocket, diskFiles, emptyDiskFiles, journalFile, tpmSocket, null);
        }

        public Layout(Path consoleSocket, Path qmpSocket, List<Path> diskFiles, List<Path> emptyDiskFiles) {
            this(consoleSocket, qmpSocket, diskFiles, emptyDiskFiles, null, null, null);
        }

        public Layout(Path consoleSocket, Path qmpSocket, List<Path> diskFiles, List<Path> emptyDiskFiles, Path journalFile) {
            this(consoleSocket, qmpSocket, diskFiles, emptyDiskFiles, journalFile, null, null);
        }
    }

    /** The name of the virtio serial port stage 1 writes its journal to: /dev/virtio-ports/NAME in the guest. */
    public static final String JOURNAL_PORT = "org.initrdharness.journal";

    /** The id of the n-th free PCIe port for hot-plugged disks. */
    public static String hotplugPort(int n) {
        return "hotplug" + n;
    }

    private QemuCommand() {}

    /**
     * The full command line, binary first. The guest starts paused ({@code -S}) so that the
     * console is connected before its first byte; QMP "cont" starts it.
     */
    public static List<String> build(MachineSpec spec, Accelerator accel, Layout layout) {
        return build(spec, accel, layout, new KernelBoot(spec.kernel(), KernelEntry.BZIMAGE, "as given"));
    }

    /** The same, loading {@code kernel}'s image (a vmlinux for PVH) instead of the spec's file. */
    public static List<String> build(MachineSpec spec, Accelerator accel, Layout layout, KernelBoot kernel) {
        List<String> a = new ArrayList<>();
        Arch arch = spec.arch();
        a.add(arch.qemuBinary());
        switch (arch) {
            case X86_64 -> {
                // pc rather than q35: disks hot-plug on its root bus through ACPI, no ports needed.
                a.addAll(List.of("-M", "pc", "-cpu", accel == Accelerator.KVM ? "host" : "qemu64"));
            }
            case AARCH64 -> a.addAll(List.of("-M", "virt", "-cpu", accel == Accelerator.KVM ? "host" : "cortex-a57"));
        }
        a.addAll(List.of("-accel", accel.qemuName(),
                "-m", Integer.toString(spec.memoryMiB()),
                "-smp", Integer.toString(spec.cpus()),
                "-nodefaults", "-no-reboot", "-display", "none",
                // Named vCPU threads ("CPU 0/TCG"): the harness reads their run-queue wait.
                "-name", "initrd-harness,debug-threads=on"));
        a.addAll(List.of("-kernel", kernel.image().toString()));
        if (spec.initrd() != null) a.addAll(List.of("-initrd", spec.initrd().toString()));
        a.addAll(List.of("-append", spec.kernelCommandLine()));
        a.addAll(List.of("-chardev", "socket,id=console,path=" + opt(layout.consoleSocket()) + ",server=on,wait=off",
                "-serial", "chardev:console"));
        a.addAll(List.of("-chardev", "socket,id=qmp,path=" + opt(layout.qmpSocket()) + ",server=on,wait=off",
                "-mon", "chardev=qmp,mode=control"));
        if (layout.secondConsoleSocket() != null || layout.journalFile() != null) {
            a.addAll(List.of("-device", "virtio-serial-pci,id=vserial"));
        }
        if (layout.secondConsoleSocket() != null) a.addAll(secondConsole(arch, layout.secondConsoleSocket()));
        if (layout.journalFile() != null) a.addAll(journalPort(layout.journalFile()));
        a.add("-S");
        // A guest that loads a pvpanic driver reports its panic to QMP and makes QEMU exit with 1.
        a.addAll(List.of("-device", arch == Arch.X86_64 ? "pvpanic" : "pvpanic-pci", "-action", "panic=exit-failure"));
        if (arch == Arch.AARCH64) {
            for (int i = 0; i < spec.hotplugSlots(); i++) {
                a.addAll(List.of("-device", "pcie-root-port,id=" + hotplugPort(i) + ",chassis=" + (i + 1)));
            }
        }
        int n = 0;
        for (int i = 0; i < spec.disks().size(); i++, n++) {
            Disk d = spec.disks().get(i);
            a.addAll(disk(n, layout.diskFiles().get(i), d.serial(), d.readOnly()));
        }
        for (int i = 0; i < spec.emptyDisks().size(); i++, n++) {
            a.addAll(disk(n, layout.emptyDiskFiles().get(i), spec.emptyDisks().get(i).serial(), false));
        }
        for (int i = 0; i < spec.nics().size(); i++) {
            StringBuilder netdev = new StringBuilder("user,id=net" + i + ",restrict=on");
            for (Nic.Forward f : spec.nics().get(i).forwards()) netdev.append(",hostfwd=").append(f.hostfwd());
            a.addAll(List.of("-netdev", netdev.toString(),
                    "-device", "virtio-net-pci,netdev=net" + i + ",mac=" + spec.nics().get(i).mac()));
        }
        if (spec.tpmState() != null) a.addAll(tpm(arch, layout.tpmSocket()));
        if (spec.display() == Display.VGA) {
            a.addAll(List.of("-device", arch == Arch.X86_64 ? "VGA" : "virtio-gpu-pci"));
        }
        a.addAll(spec.extraQemuArgs());
        return a;
    }

    /**
     * The second console ({@link Arch#secondConsole()}) on a socket the harness reads: ttyS1 on
     * x86_64, the virtio console hvc0 on aarch64. The kernel's console stays on the first port.
     */
    static List<String> secondConsole(Arch arch, Path socket) {
        List<String> a = new ArrayList<>(List.of("-chardev", "socket,id=console2,path=" + opt(socket) + ",server=on,wait=off"));
        if (arch == Arch.X86_64) {
            a.addAll(List.of("-serial", "chardev:console2"));
        } else {
            a.addAll(List.of("-device", "virtconsole,bus=vserial.0,chardev=console2,name=console2"));
        }
        return a;
    }

    /** The journal port: a virtio serial port into a file, /dev/virtio-ports/{@value #JOURNAL_PORT} in the guest. */
    static List<String> journalPort(Path file) {
        return List.of("-chardev", "file,id=journal,path=" + opt(file),
                "-device", "virtserialport,bus=vserial.0,chardev=journal,name=" + JOURNAL_PORT);
    }

    /** Device and block node for one disk: the overlay (always qcow2) under virtio-blk with its serial. */
    static List<String> disk(int n, Path overlay, String serial, boolean readOnly) {
        return List.of(
                "-blockdev", "driver=qcow2,node-name=disk" + n + ",read-only=" + (readOnly ? "on" : "off")
                        + ",file.driver=file,file.filename=" + opt(overlay) + ",file.read-only=" + (readOnly ? "on" : "off"),
                "-device", "virtio-blk-pci,drive=disk" + n + ",id=disk-" + serial + ",serial=" + serial);
    }

    /** A TPM 2.0 front end on swtpm's socket: TIS on the ISA bus (x86_64), its sysbus variant on virt (aarch64). */
    static List<String> tpm(Arch arch, Path socket) {
        if (socket == null) throw new IllegalArgumentException(arch + " machine: a TPM needs swtpm's socket in the layout");
        return List.of("-chardev", "socket,id=chrtpm,path=" + opt(socket),
                "-tpmdev", "emulator,id=tpm0,chardev=chrtpm",
                "-device", (arch == Arch.X86_64 ? "tpm-tis" : "tpm-tis-device") + ",tpmdev=tpm0");
    }

    /** A path inside a QEMU option string: commas are doubled. */
    static String opt(Path p) {
        return p.toString().replace(",", ",,");
    }

    /**
     * The same command for a person at a terminal: the console on stdio multiplexed with the
     * human monitor (Ctrl-A X quits, Ctrl-A C switches), and the guest running at once.
     */
    public static List<String> forTerminal(List<String> command) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) {
            String a = command.get(i);
            if (a.equals("-S")) continue;
            if (a.equals("-chardev") && i + 1 < command.size() && command.get(i + 1).startsWith("socket,id=console,")) {
                out.addAll(List.of("-chardev", "stdio,id=console,mux=on,signal=off", "-mon", "chardev=console,mode=readline"));
                i++;
                continue;
            }
            out.add(a);
        }
        return out;
    }
}
