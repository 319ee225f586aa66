package org.initrdharness.initrd;

import static org.testng.Assert.assertTrue;

import java.util.List;
import org.initrdharness.files.CacheDirectory;
import org.initrdharness.images.Progress;
import org.initrdharness.images.VmImages;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

/** Times the closure of a systemd-sized initrd's content in the x86_64 guest sysroot; prints, never asserts times. */
public class ClosureBenchmark {
    static final List<String> SYSTEMD_STAGE1 = List.of(
            "/usr/lib/systemd/systemd", "/usr/lib/systemd/systemd-udevd", "/usr/lib/systemd/systemd-journald",
            "/usr/lib/systemd/systemd-fsck", "/usr/lib/systemd/systemd-sulogin-shell", "/usr/lib/systemd/systemd-shutdown",
            "/usr/lib/systemd/systemd-cryptsetup", "/usr/lib/systemd/systemd-makefs", "/usr/lib/systemd/systemd-modules-load",
            "/usr/lib/systemd/system", "/usr/lib/systemd/system-generators", "/usr/lib/udev/rules.d",
            "/usr/lib/udev/ata_id", "/usr/lib/udev/scsi_id", "/usr/lib/udev/cdrom_id",
            "/usr/bin/systemctl", "/usr/bin/udevadm", "/usr/bin/journalctl", "/usr/bin/systemd-tmpfiles",
            "/usr/bin/bash", "/usr/bin/sh", "/usr/bin/mount", "/usr/bin/umount", "/usr/sbin/modprobe", "/usr/sbin/sulogin",
            "/usr/bin/ls", "/usr/bin/cat", "/usr/bin/less", "/usr/sbin/fsck", "/usr/sbin/e2fsck", "/usr/sbin/blkid",
            "/usr/sbin/cryptsetup", "/usr/sbin/dmsetup", "/usr/bin/kmod", "/usr/lib/x86_64-linux-gnu/security",
            "/etc/systemd", "/etc/udev", "/usr/share/terminfo/l/linux", "/usr/lib/x86_64-linux-gnu/libnss_files.so.2");

    @Test(groups = "benchmark")
    public void systemdSizedClosureInTheGuestSysroot() {
        Sysroot sysroot = new Sysroot(VmImages.ensure(Arch.X86_64, CacheDirectory.root(), Progress.silent()).sysroot());
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            Closure c = new Closure(sysroot, InitrdPlan.builder(), ClosureOptions.defaults().withAllowMissing(true));
            for (String p : SYSTEMD_STAGE1) c.addIfExists(InitrdPath.of(p), "benchmark");
            InitrdPlan plan = c.build();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("closure round " + round + ": " + plan.size() + " entries in " + ms + " ms, "
                    + c.warnings().size() + " warnings");
            assertTrue(plan.size() > 100);
        }
    }
}
