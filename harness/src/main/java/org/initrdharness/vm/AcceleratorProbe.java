package org.initrdharness.vm;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.initrdharness.files.AtomicFiles;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.vm.console.FailurePattern;

/**
 * Chooses KVM or TCG. /dev/kvm existing is not enough (on some hosts KVM guests hang right
 * after the real-mode kernel setup): KVM is used only when /dev/kvm is usable, the guest arch is
 * the host's, and a probe boot of the kernel reaches its panic for want of a root file system
 * within a few seconds. The verdict is logged once and kept per JVM, and per host boot on disk.
 * The environment variable {@value #ENV} (kvm, tcg) skips the probe.
 */
public final class AcceleratorProbe {

    public static final String ENV = "INITRD_HARNESS_ACCEL";

    /** How long the probe boot may take; a working KVM needs about one second. */
    public static final Duration PROBE_TIME = Duration.ofSeconds(8);

    /** The choice and why. */
    public record Choice(Accelerator accelerator, String reason) {}

    private static final System.Logger LOG = System.getLogger(AcceleratorProbe.class.getName());
    private static final Map<Arch, Choice> CHOSEN = new ConcurrentHashMap<>();

    private AcceleratorProbe() {}

    /** The accelerator for {@code spec}'s machine. */
    public static Choice choose(MachineSpec spec) {
        if (spec.accelerator() != null) return new Choice(spec.accelerator(), "set in the machine spec");
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            String v = env.trim().toLowerCase(Locale.ROOT);
            if (v.equals("kvm")) return new Choice(Accelerator.KVM, ENV + "=kvm");
            if (v.equals("tcg")) return new Choice(Accelerator.TCG, ENV + "=tcg");
            if (!v.equals("auto")) throw new IllegalArgumentException(ENV + " is '" + env + "': use kvm, tcg or auto");
        }
        return CHOSEN.computeIfAbsent(spec.arch(), a -> {
            Choice c = decide(spec);
            LOG.log(Level.INFO, "{0} guests run on {1}: {2}", a, c.accelerator(), c.reason());
            return c;
        });
    }

    private static Choice decide(MachineSpec spec) {
        Arch host = Arch.host();
        if (spec.arch() != host) {
            return new Choice(Accelerator.TCG, "the guest is " + spec.arch() + ", the host " + (host == null ? System.getProperty("os.arch") : host));
        }
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) return new Choice(Accelerator.TCG, "/dev/kvm does not exist");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return new Choice(Accelerator.TCG, "/dev/kvm is not readable and writable by this user (group kvm?)");
        }
        Path cache = cacheFile(spec.arch());
        if (cache != null && Files.isRegularFile(cache)) {
            try {
                String[] v = Files.readString(cache).split(" ", 2);
                return new Choice(Accelerator.valueOf(v[0]), v[1].strip() + " (probed earlier since this host booted: " + cache + ")");
            } catch (IOException | RuntimeException e) {
                // probe again
            }
        }
        Choice c = probe(spec);
        if (cache != null) {
            try {
                AtomicFiles.write(cache, c.accelerator() + " " + c.reason() + "\n");
            } catch (IOException e) {
                // only a cache
            }
        }
        return c;
    }

    /** Boots the kernel alone on KVM: a working KVM reaches the "no root" panic in a second or two. */
    private static Choice probe(MachineSpec spec) {
        MachineSpec probe = MachineSpec.builder(spec.arch()).name("kvm-probe").kernel(spec.kernel())
                .memoryMiB(256).accelerator(Accelerator.KVM).hotplugSlots(0)
                .timeoutFactor(1 / Accelerator.KVM.timeoutFactor()).build();
        long t0 = System.nanoTime();
        try (Machine m = new Machine(probe)) {
            m.start();
            m.console().allow(FailurePattern.KERNEL_PANIC);
            m.console().waitFor(Pattern.compile("Kernel panic|Run /init"), PROBE_TIME);
            return new Choice(Accelerator.KVM, String.format(Locale.ROOT,
                    "a probe boot on KVM reached the kernel's end in %.1f s", (System.nanoTime() - t0) / 1e9));
        } catch (BootFailure e) {
            return new Choice(Accelerator.TCG, "/dev/kvm exists but a probe boot of " + spec.kernel().getFileName()
                    + " on KVM made no progress within " + PROBE_TIME.toSeconds() + " s (" + e.kind() + ")");
        } catch (IOException | RuntimeException e) {
            return new Choice(Accelerator.TCG, "the KVM probe boot failed: " + e.getMessage());
        }
    }

    static Path cacheFile(Arch arch) {
        try {
            String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
            return CacheDirectory.root().resolve("kvm-probe").resolve(arch.id() + "-" + bootId);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
