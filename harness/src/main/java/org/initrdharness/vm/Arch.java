package org.initrdharness.vm;

import java.util.Arrays;
import java.util.Locale;

/** A guest architecture, with the names each tool gives it. */
public enum Arch {
    X86_64("x86_64", "amd64", "x86_64-linux-gnu", "qemu-system-x86_64", "ttyS0", 62, "amd64"),
    AARCH64("aarch64", "arm64", "aarch64-linux-gnu", "qemu-system-aarch64", "ttyAMA0", 183, "arm64");

    private final String id;
    private final String debianArch;
    private final String triplet;
    private final String qemuBinary;
    private final String console;
    private final int elfMachine;
    private final String kernelFlavour;

    Arch(String id, String debianArch, String triplet, String qemuBinary, String console, int elfMachine,
            String kernelFlavour) {
        this.id = id;
        this.debianArch = debianArch;
        this.triplet = triplet;
        this.qemuBinary = qemuBinary;
        this.console = console;
        this.elfMachine = elfMachine;
        this.kernelFlavour = kernelFlavour;
    }

    /** "x86_64" or "aarch64": the name used on the command line, in reports and test names. */
    public String id() { return id; }

    /** Debian's name: "amd64", "arm64". */
    public String debianArch() { return debianArch; }

    /** The multiarch triplet: library directories are /usr/lib/&lt;triplet&gt;. */
    public String triplet() { return triplet; }

    public String qemuBinary() { return qemuBinary; }

    /**
     * The second console every machine has, kept as console2.log and read by the harness like
     * the first: ttyS1, or on aarch64 (whose virt machine has one UART) the virtio console
     * hvc0. Never the console plymouth and systemd write to: stage 1's break shells
     * ({@link Breakpoint}) read it.
     */
    public String secondConsole() { return this == X86_64 ? "ttyS1" : "hvc0"; }

    /**
     * Where stage 1 writes its journal: a virtio serial port (not a console) on both arches,
     * {@code /dev/virtio-ports/}{@value QemuCommand#JOURNAL_PORT}, kept as journal.log.
     */
    public String journalPort() { return "virtio-ports/" + QemuCommand.JOURNAL_PORT; }

    /** The serial console device the kernel writes to: ttyS0 or ttyAMA0. */
    public String console() { return console; }

    /** e_machine of this arch's ELF files (EM_X86_64, EM_AARCH64). */
    public int elfMachine() { return elfMachine; }

    /** Debian's kernel flavour: linux-image-&lt;flavour&gt;. */
    public String kernelFlavour() { return kernelFlavour; }

    /** The host's arch, or null when the host is neither. */
    public static Arch host() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> null;
        };
    }

    /** Parses "x86_64"/"amd64"/"aarch64"/"arm64"; an unknown name is refused with the known ones. */
    public static Arch parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).trim();
        for (Arch a : values()) {
            if (a.id.equals(n) || a.debianArch.equals(n)) return a;
        }
        throw new IllegalArgumentException("unsupported arch '" + name + "': use one of "
                + Arrays.stream(values()).map(Arch::id).toList());
    }

    @Override
    public String toString() {
        return id;
    }
}
