package org.initrdharness.stage1;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import org.initrdharness.initrd.InitrdBuildException;
import org.testng.annotations.Test;

public class Stage1OptionsTest {
    @Test
    public void defaultsIncludeCryptsetupAndPlymouthAndLockRoot() {
        Stage1Options o = Stage1Options.parse("{}", "test");
        assertEquals(o, Stage1Options.defaults());
        assertTrue(o.cryptsetup());
        assertTrue(o.plymouth());
        assertTrue(o.fsck());
        assertEquals(o.emergencyAccess(), "locked");
        assertNull(o.deviceTimeoutSec());
        assertEquals(o.hookShell(), "busybox");
    }

    @Test
    public void anUnknownKeyIsNamedWithTheKnownOnes() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"plymuoth\": false}", "opts.json"));
        assertTrue(e.getMessage().startsWith("opts.json: unknown option 'plymuoth'"), e.getMessage());
        assertTrue(e.getMessage().contains("plymouth"), e.getMessage());
    }

    @Test
    public void anUnknownNestedKeyIsNamed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"luks\": [{\"name\": \"r\", \"device\": \"/dev/vda\", \"keyfile\": \"k\"}]}", "o.json"));
        assertTrue(e.getMessage().contains("unknown option 'keyfile'"), e.getMessage());
        assertTrue(e.getMessage().contains("keyFile"), e.getMessage());
    }

    @Test
    public void badEmergencyAccessSaysWhatIsAllowed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"emergencyAccess\": \"nopassword\"}", "o.json"));
        assertTrue(e.getMessage().contains("\"locked\", \"open\""), e.getMessage());
    }

    @Test
    public void aMountPointOutsideSysrootIsRefused() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"fileSystems\": [{\"device\": \"/dev/vda\", \"mountPoint\": \"/mnt\"}]}", "o.json"));
        assertTrue(e.getMessage().contains("'/mnt'"), e.getMessage());
    }

    @Test
    public void aWrongTypeNamesTheFile() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class,
                () -> Stage1Options.parse("{\"deviceTimeoutSec\": \"soon\"}", "o.json"));
        assertTrue(e.getMessage().startsWith("o.json: "), e.getMessage());
    }
}
