package org.initrdharness.vm;

import static org.testng.Assert.assertEquals;

import java.nio.file.Path;
import org.initrdharness.files.CacheDirectory;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/** The KVM probe's and the host speed's records move with the cache directory, like the images. */
public class CacheFilesTest {
    private String old;

    @BeforeMethod
    public void pointTheCacheElsewhere() {
        old = System.getProperty(CacheDirectory.PROPERTY);
        System.setProperty(CacheDirectory.PROPERTY, "/x/moved-cache");
    }

    @AfterMethod(alwaysRun = true)
    public void restore() {
        if (old == null) System.clearProperty(CacheDirectory.PROPERTY);
        else System.setProperty(CacheDirectory.PROPERTY, old);
    }

    @Test
    public void probeAndSpeedRecordsLiveUnderTheCacheDirectory() {
        for (Arch arch : Arch.values()) {
            assertEquals(AcceleratorProbe.cacheFile(arch).getParent(), Path.of("/x/moved-cache/kvm-probe"), arch.id());
            assertEquals(HostSpeed.cacheFile(arch).getParent(), Path.of("/x/moved-cache/host-speed"), arch.id());
        }
    }
}
