package org.initrdharness.stage1;

import static org.initrdharness.stage1.Component.SYSTEMD;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;

/** The tree systemd starts in: merged-/usr links, mount points, /dev/console and /init. */
final class RootLayout {
    private RootLayout() {}

    static void compose(Arch arch, Path sysroot, Stage1Composition.Collector c) {
        for (String top : List.of("bin", "sbin", "lib", "lib64")) {
            String target = mergedUsrLink(arch, sysroot, top);
            if (target != null) c.link(SYSTEMD, "/" + top, target, "merged /usr: /" + top + " as in the sysroot");
        }
        for (String d : List.of("/dev", "/proc", "/sys", "/run", "/sysroot", "/tmp", "/root", "/var", "/etc")) {
            c.dir(SYSTEMD, d, d.equals("/tmp") ? 01777 : d.equals("/root") ? 0700 : 0755, "mount point");
        }
        // The kernel opens /dev/console for init before anything mounts devtmpfs.
        c.put(SYSTEMD, new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "initial console"));
        c.link(SYSTEMD, "/init", "/usr/lib/systemd/systemd", "the kernel runs /init: systemd");
    }

    /** The link target of /bin, /lib... in the sysroot, or null when it is not a link there. */
    private static String mergedUsrLink(Arch arch, Path sysroot, String top) {
        if (sysroot == null) {
            if (top.equals("lib64")) return arch == Arch.X86_64 ? "usr/lib64" : null;
            return "usr/" + top;
        }
        Path p = sysroot.resolve(top);
        if (!Files.isSymbolicLink(p)) return null;
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw new InitrdBuildException("cannot read link " + p + ": " + e.getMessage(), e);
        }
    }
}
