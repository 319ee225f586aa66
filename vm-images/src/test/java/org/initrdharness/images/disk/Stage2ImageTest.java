package org.initrdharness.images.disk;

import static org.testng.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.host.HostCommand;
import org.initrdharness.images.DebFixtures;
import org.initrdharness.images.Tools;
import org.initrdharness.images.cache.ImageCache;
import org.initrdharness.images.deb.DebArchive;
import org.initrdharness.images.deb.TreeWriter;
import org.testng.annotations.Test;

/** The stage-2 ext4 image depends only on its inputs: same busybox, same bytes. */
public class Stage2ImageTest {

    @Test
    public void twoBuildsASecondApartGiveIdenticalCleanImages() throws Exception {
        Path root = DebFixtures.scratch("stage2-busybox");
        new TreeWriter(root).mergedUsr().unpack(new DebArchive(DebFixtures.get("busybox-static")));
        Path busybox = root.resolve("usr/bin/busybox");
        String[] sums = new String[2];
        for (int i = 0; i < 2; i++) {
            Path dir = DebFixtures.scratch("stage2-image-" + i);
            Stage2.layout(busybox, dir.resolve("tree"));
            Path image = dir.resolve("stage2.ext4");
            Stage2.mkfs(dir.resolve("tree"), image);
            HostCommand.Result fsck = Tools.command(Tools.DEFAULT_DEADLINE,
                    List.of(Tools.require("e2fsck", "e2fsprogs").toString(), "-fn", image.toString())).run();
            assertEquals(fsck.exit(), 0, fsck.text());
            sums[i] = ImageCache.sha256(image);
            Thread.sleep(1100); // the host's ctimes differ between the two trees
        }
        assertEquals(sums[1], sums[0]);
    }
}
