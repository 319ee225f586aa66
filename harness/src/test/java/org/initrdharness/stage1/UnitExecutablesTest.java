package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;

import java.util.List;
import org.testng.annotations.Test;

public class UnitExecutablesTest {

    private static List<String> names(String unit) {
        return UnitExecutables.of(unit).stream().map(UnitExecutables.Program::name).toList();
    }

    @Test
    public void everyExecLineCountsButThoseWhoseFailureIsIgnored() {
        String unit = """
                [Unit]
                Description=Mountpoints Configured in the Real Root
                [Service]
                Type=oneshot
                ExecStartPre=-plymouth --wait quit
                ExecStart=/usr/lib/systemd/systemd-sysroot-fstab-check
                ExecStart=systemctl --no-block start initrd-cleanup.service
                ExecStartPost=@/usr/bin/true true
                ExecStopPost=+/usr/bin/udevadm \\
                    info --cleanup-db
                ExecCondition=!!/usr/bin/test -e /etc/initrd-release
                ExecReload=/bin/kill -HUP $MAINPID
                ExecStart=
                ExecStart=${FOO}/bin/x
                # ExecStart=/usr/bin/commented-out
                """;
        assertEquals(names(unit), List.of("/usr/lib/systemd/systemd-sysroot-fstab-check", "systemctl", "/usr/bin/true",
                "/usr/bin/udevadm", "/usr/bin/test", "/bin/kill"));
    }

    @Test
    public void otherKeysAreNotPrograms() {
        assertEquals(names("[Service]\nExecSearchPath=/usr/bin\nEnvironment=ExecStart=/x\nExecStartX=/y\n"), List.of());
    }
}
