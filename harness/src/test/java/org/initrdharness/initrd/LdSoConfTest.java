package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.testng.annotations.Test;

public class LdSoConfTest {

    @Test
    public void globsMatchLikeFnmatch() {
        assertTrue(LdSoConf.globMatches("*.conf", 0, "libc.conf", 0));
        assertFalse(LdSoConf.globMatches("*.conf", 0, "libc.conf.bak", 0));
        assertTrue(LdSoConf.globMatches("x86_64-?inux-*.conf", 0, "x86_64-linux-gnu.conf", 0));
        assertTrue(LdSoConf.globMatches("[a-c]*", 0, "b.conf", 0));
        assertFalse(LdSoConf.globMatches("[!a-c]*", 0, "b.conf", 0));
        assertTrue(LdSoConf.globMatches("*", 0, "", 0));
    }

    @Test(timeOut = 10_000)
    public void includeCyclesAndEscapesStayInside() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n/opt/top\n");
        t.file("/etc/ld.so.conf.d/self.conf", "include ../ld.so.conf\ninclude /../../../etc/ld.so.conf.d/*.conf\n/opt/a=libc6\n");
        t.link("/etc/ld.so.conf.d/out.conf", "/../../../../etc/ld.so.conf");
        t.file("/etc/ld.so.conf.d/z.conf", "   /opt/z   \n# /opt/commented\nrelative/dir\n");
        assertEquals(LdSoConf.directories(t.sysroot()),
                // self.conf reads z.conf through its own include before its own line
                List.of(InitrdPath.of("/opt/z"), InitrdPath.of("/opt/a"), InitrdPath.of("/opt/top")));
    }

    @Test
    public void noConfigurationMeansNoDirectories() throws Exception {
        assertEquals(LdSoConf.directories(new TreeBuilder().sysroot()), List.of());
    }
}
