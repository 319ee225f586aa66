package org.initrdharness.vm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.initrdharness.replay.BootInput;
import org.initrdharness.replay.BootManifest;
import org.initrdharness.replay.Sha256;
import org.initrdharness.vm.kernel.KernelBoot;

/** What a machine is about to boot, as a {@link BootManifest}: every file it reads, by content hash. */
final class BootRecord {
    private BootRecord() {}

    static BootManifest of(MachineSpec spec, Accelerator accel, KernelBoot kernel, List<String> terminalCommand, Path scratch)
            throws IOException {
        List<BootInput> inputs = new ArrayList<>();
        inputs.add(input("kernel", "kernel", kernel.image(), null));
        if (!kernel.image().toAbsolutePath().normalize().equals(spec.kernel())) {
            inputs.add(input("kernel-source", "kernel-source", spec.kernel(), null));
        }
        if (spec.initrd() != null) inputs.add(input("initrd", "initrd", spec.initrd(), null));
        List<BootManifest.Overlay> overlays = new ArrayList<>();
        for (Disk d : spec.disks()) {
            String id = "disk-" + d.serial();
            inputs.add(input(id, "disk", d.image(), d.format()));
            overlays.add(new BootManifest.Overlay(BootManifest.DIR + "/disk-" + d.serial() + ".qcow2", id, d.format().qemuName()));
        }
        List<BootManifest.EmptyImage> empties = new ArrayList<>();
        for (EmptyDisk d : spec.emptyDisks()) {
            empties.add(new BootManifest.EmptyImage(BootManifest.DIR + "/empty-" + d.serial() + ".qcow2", d.sizeBytes()));
        }
        List<String> command = BootManifest.tokenize(terminalCommand, scratch, inputs);
        return new BootManifest(spec.arch().id(), accel.toString(), spec.kernelCommandLine(), command, inputs, overlays, empties,
                List.of());
    }

    static BootInput input(String id, String role, Path file, DiskFormat format) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        return new BootInput(id, role, abs, Sha256.of(abs), java.nio.file.Files.size(abs), format == null ? null : format.qemuName());
    }
}
