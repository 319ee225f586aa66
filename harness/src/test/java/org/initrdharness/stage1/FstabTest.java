package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.initrd.InitrdBuildException;
import org.initrdharness.initrd.PlanEntry;
import org.initrdharness.vm.Arch;
import org.testng.annotations.Test;

public class FstabTest {
    @Test
    public void fstabMountsSysrootRequiredByInitrdRootFsWithDeviceTimeout() {
        Stage1Options o = Stage1Options.parse("{\"fileSystems\": [{\"device\": \"LABEL=stage2root\", \"fsType\": \"ext4\"},"
                + " {\"device\": \"/dev/vdb\", \"mountPoint\": \"/sysroot/usr\", \"fsType\": \"ext4\", \"options\": \"ro\"}],"
                + " \"deviceTimeoutSec\": 7}", "test");
        assertEquals(Fstab.fstab(o), "# written by initrd-harness from option fileSystems\n"
                + "LABEL=stage2root /sysroot ext4 defaults,x-initrd.mount,x-systemd.before=initrd-root-fs.target,"
                + "x-systemd.required-by=initrd-root-fs.target,x-systemd.device-timeout=7s 0 1\n"
                + "/dev/vdb /sysroot/usr ext4 ro,x-initrd.mount,x-systemd.device-timeout=7s 0 2\n");
    }

    @Test
    public void fstabWithoutFsckHasPassZero() {
        Stage1Options o = Stage1Options.parse("{\"fsck\": false, \"fileSystems\": [{\"device\": \"/dev/vda\"}]}", "test");
        assertTrue(Fstab.fstab(o).endsWith("/dev/vda /sysroot auto defaults,x-initrd.mount,"
                + "x-systemd.before=initrd-root-fs.target,x-systemd.required-by=initrd-root-fs.target 0 0\n"));
    }

    @Test
    public void crypttabNamesPassphraseKeyFileOrAsks() throws Exception {
        Path key = Files.createTempFile("stage1", ".key");
        Files.writeString(key, "secret");
        Stage1Options o = Stage1Options.parse("{\"luks\": ["
                + "{\"name\": \"a\", \"device\": \"UUID=1111\", \"passphrase\": \"pw\"},"
                + "{\"name\": \"b\", \"device\": \"/dev/vdb\", \"keyFile\": \"" + key + "\"},"
                + "{\"name\": \"c\", \"device\": \"UUID=3333\", \"options\": \"luks,discard\"}],"
                + " \"deviceTimeoutSec\": 3}", "test");
        assertEquals(Fstab.crypttab(o), "# written by initrd-harness from option luks\n"
                + "a UUID=1111 /etc/cryptsetup-keys.d/a.key luks,x-systemd.device-timeout=3s\n"
                + "b /dev/vdb /etc/cryptsetup-keys.d/b.key luks,x-systemd.device-timeout=3s\n"
                + "c UUID=3333 none luks,discard,x-systemd.device-timeout=3s\n");
        Stage1Composition c = SystemdStage1.compose(Arch.X86_64, o, null);
        PlanEntry.Generated pw = (PlanEntry.Generated) c.generatedAt("/etc/cryptsetup-keys.d/a.key").orElseThrow();
        assertEquals(new String(pw.content(), StandardCharsets.UTF_8), "pw", "no trailing newline in a key");
        assertEquals(pw.mode(), 0400);
        PlanEntry.RegularFile kf = (PlanEntry.RegularFile) c.generatedAt("/etc/cryptsetup-keys.d/b.key").orElseThrow();
        assertEquals(kf.source(), key.toAbsolutePath());
        assertTrue(c.text("/etc/crypttab").isPresent());
        Files.delete(key);
    }

    @Test
    public void whiteSpaceInAFieldIsRefused() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> Fstab.fstab(
                Stage1Options.parse("{\"fileSystems\": [{\"device\": \"LABEL=my root\"}]}", "test")));
        assertTrue(e.getMessage().contains("LABEL=my root"), e.getMessage());
    }

    @Test
    public void aMissingKeyFileIsNamed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> SystemdStage1.compose(Arch.X86_64,
                Stage1Options.parse("{\"luks\": [{\"name\": \"r\", \"device\": \"/dev/vda\", \"keyFile\": \"/nonexistent/k\"}]}",
                        "test"), null));
        assertTrue(e.getMessage().contains("/nonexistent/k"), e.getMessage());
    }
}
