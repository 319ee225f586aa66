package org.initrdharness.stage1;

import org.initrdharness.initrd.InitrdBuildException;

import java.nio.file.Path;
import org.initrdharness.vm.Arch;

/**
 * The systemd stage-1 recipe: which units, binaries, rules and configuration a systemd initrd
 * needs, for one arch and one set of {@link Stage1Options}. It only names things;
 * {@link Stage1Assembler} copies them from a sysroot with their closure.
 *
 * <p>The set is deliberately small: the initrd targets and services, journald, udevd with the
 * rules that name disks, modules-load, fsck, the emergency and rescue shells, the console and
 * plymouth password agents, the fstab and cryptsetup generators, and {@code systemctl
 * switch-root} as the way out. Each part is its own class; this one puts them in order.
 */
public final class SystemdStage1 {
    static final String UNITS = "/usr/lib/systemd/system/";
    static final String ETC_UNITS = "/etc/systemd/system/";
    static final String MODULES_LOAD = "/etc/modules-load.d/stage1.conf";

    private SystemdStage1() {}

    /**
     * Composes the stage 1 for {@code arch}. {@code sysroot} (may be null) is only looked at for
     * its merged-/usr links, which the initrd repeats; without it a merged-/usr layout is assumed.
     */
    public static Stage1Composition compose(Arch arch, Stage1Options options, Path sysroot) {
        // Order matters: an entry keeps the place it was first added at, and KernelModules
        // writes out the modules the parts before it asked for.
        Stage1Composition.Collector c = new Stage1Composition.Collector();
        RootLayout.compose(arch, sysroot, c);
        SystemdCore.compose(c);
        BlockDevices.udev(c);
        if (options.fsck()) BlockDevices.fsck(c);
        if (options.cryptsetup()) BlockDevices.cryptsetup(c);
        if (options.lvm()) Lvm.compose(c);
        if (options.mdraid()) MdRaid.compose(c);
        if (options.btrfs()) Btrfs.compose(c);
        if (options.tpm2()) {
            if (!options.cryptsetup()) {
                throw new InitrdBuildException("option tpm2 unlocks LUKS volumes but option cryptsetup is false:"
                        + " set cryptsetup to true or remove tpm2");
            }
            Tpm2.compose(arch, c);
        }
        if (options.plymouth()) Plymouth.compose(arch, c);
        if (options.network() != null) Networkd.compose(options.network(), c);
        if (options.sshUnlock() != null) DropbearUnlock.compose(options, c);
        Shell.compose(options.hookShell(), c);
        if (options.exitrd()) ShutdownInitrd.compose(c);
        BreakShells.compose(arch, c);
        JournalPort.compose(c);
        InitrdConfig.compose(arch, options, c);
        KernelModules.compose(options, c);
        LegacyHooks.compose(options, c);
        UserAdditions.compose(options, c);
        return c.build();
    }
}
