package org.initrdharness.initrd;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Path;
import java.util.List;
import org.testng.annotations.Test;

public class SysrootTest {

    private static InitrdPath p(String s) {
        return InitrdPath.of(s);
    }

    @Test
    public void dotDotAfterALinkIsPhysical() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/usr/lib/x86_64-linux-gnu/libz.so.1", "z").file("/usr/lib/os-release", "ID=x");
        t.link("/lib", "usr/lib").link("/etc/os-release", "../lib/os-release");
        Sysroot s = t.sysroot();
        // /lib/x86_64-linux-gnu/.. is /usr/lib, as the kernel sees it, not "/" as a lexical cut would say.
        Sysroot.Resolution r = s.resolve(p("/lib/x86_64-linux-gnu/../os-release"));
        assertTrue(r.found(), r.describeFailure());
        assertEquals(r.resolved(), p("/usr/lib/os-release"));
        assertEquals(r.links(), List.of(new Sysroot.Link(p("/lib"), "usr/lib")));
        Sysroot.Resolution chain = s.resolve(p("/etc/os-release"));
        assertEquals(chain.resolved(), p("/usr/lib/os-release"));
        assertEquals(chain.chain(), "/etc/os-release -> ../lib/os-release, /lib -> usr/lib");
    }

    @Test
    public void failuresSayWhatStopped() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/etc/file", "x").link("/loop", "loop");
        Sysroot s = t.sysroot();
        Sysroot.Resolution notDir = s.resolve(p("/etc/file/below"));
        assertEquals(notDir.failure(), Sysroot.Failure.NOT_A_DIRECTORY);
        assertEquals(notDir.resolved(), p("/etc/file"));
        Sysroot.Resolution missing = s.resolve(p("/etc/none/deeper"));
        assertEquals(missing.failure(), Sysroot.Failure.MISSING);
        assertEquals(missing.resolved(), p("/etc/none"));
        Sysroot.Resolution loop = s.resolve(p("/loop/x"));
        assertEquals(loop.failure(), Sysroot.Failure.LOOP);
        assertEquals(loop.links().size(), Sysroot.MAX_SYMLINKS);
        assertTrue(loop.describeFailure().contains("loop"), loop.describeFailure());
        // resolveParent leaves the last link alone, like lstat
        Sysroot.Resolution last = s.resolveParent(p("/loop"));
        assertTrue(last.found());
        assertEquals(last.node().kind(), Sysroot.Kind.SYMLINK);
    }

    @Test
    public void hostPathsStayUnderTheRoot() throws Exception {
        TreeBuilder t = new TreeBuilder();
        t.file("/a/b", "x").link("/up", "/../../../..");
        Sysroot s = t.sysroot();
        assertEquals(s.find(p("/up/up/a/b")).orElseThrow(), t.host("/a/b").toRealPath());
        assertFalse(s.exists(p("/up/etc/hostname")));
        assertEquals(s.names(p("/a")), java.util.Set.of("b"));
        assertEquals(s.names(p("/nothing")), java.util.Set.of());
    }

    @Test
    public void aMissingRootIsNamed() {
        InitrdBuildException e = expectThrows(InitrdBuildException.class, () -> new Sysroot(Path.of("/no/such/sysroot")));
        assertTrue(e.getMessage().contains("/no/such/sysroot") && e.getMessage().contains("--sysroot"), e.getMessage());
    }
}
