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

    /** What the state files of a software TPM are copied to in the artifact directory, before swtpm changes them. */
    static final String TPM_STATE_PREFIX = "tpm-state.";

    static BootManifest of(MachineSpec spec, Accelerator accel, KernelBoot kernel, List<String> terminalCommand, Path scratch,
            Path artifactDir) throws IOException {
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
        if (spec.tpmState() != null) inputs.addAll(tpmState(spec.tpmState(), artifactDir));
        inputs.addAll(fwCfgFiles(spec.extraQemuArgs()));
        List<BootManifest.EmptyImage> empties = new ArrayList<>();
        for (EmptyDisk d : spec.emptyDisks()) {
            empties.add(new BootManifest.EmptyImage(BootManifest.DIR + "/empty-" + d.serial() + ".qcow2", d.sizeBytes()));
        }
        List<String> command = BootManifest.tokenize(terminalCommand, scratch, inputs);
        return new BootManifest(spec.arch().id(), accel.toString(), spec.kernelCommandLine(), command, inputs, overlays, empties,
                List.of());
    }

    /**
     * The TPM's state as this boot starts (a fresh TPM has none): swtpm rewrites it while the
     * guest runs, so it is copied beside the artifacts first and recorded from there.
     */
    private static List<BootInput> tpmState(Path stateDir, Path artifactDir) throws IOException {
        List<BootInput> out = new ArrayList<>();
        if (!java.nio.file.Files.isDirectory(stateDir)) return out;
        try (var files = java.nio.file.Files.list(stateDir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!java.nio.file.Files.isRegularFile(f) || name.endsWith(".lock")) continue;
                Path copy = artifactDir.resolve(TPM_STATE_PREFIX + name);
                org.initrdharness.files.AtomicFiles.write(copy, os -> java.nio.file.Files.copy(f, os));
                out.add(input(BootManifest.TPM_STATE + name, "tpm-state", copy, null));
            }
        }
        return out;
    }

    private static final java.util.regex.Pattern FW_CFG_FILE = java.util.regex.Pattern.compile("(?:^|,)file=((?:[^,]|,,)+)");

    /** Files handed to the guest through QEMU's fw_cfg ({@code -fw_cfg name=...,file=PATH}): inputs like the disks. */
    private static List<BootInput> fwCfgFiles(List<String> extraQemuArgs) throws IOException {
        List<BootInput> out = new ArrayList<>();
        for (int i = 0; i + 1 < extraQemuArgs.size(); i++) {
            if (!extraQemuArgs.get(i).equals("-fw_cfg")) continue;
            java.util.regex.Matcher m = FW_CFG_FILE.matcher(extraQemuArgs.get(i + 1));
            if (m.find()) out.add(input("fw_cfg-" + out.size(), "fw-cfg", Path.of(m.group(1).replace(",,", ",")), null));
        }
        return out;
    }

    static BootInput input(String id, String role, Path file, DiskFormat format) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        return new BootInput(id, role, abs, Sha256.of(abs), java.nio.file.Files.size(abs), format == null ? null : format.qemuName());
    }
}
