package org.initrdharness.cli.bench;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.cli.Main;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.testng.annotations.Test;

public class DracutContentsTest {
    /** An image like dracut's (host files, its own files, a module) comes back as the same entries. */
    @Test
    public void imageTurnedIntoContentsListRebuildsTheSameEntries() throws Exception {
        Path dir = Files.createTempDirectory("dracut-contents");
        Path moduleDir = Files.createDirectories(dir.resolve("kernel/lib/modules/9.9.9-test"));
        Path ko = Files.createDirectories(moduleDir.resolve("kernel/fs")).resolve("fake.ko");
        Files.write(ko, new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
        InitrdPlan dracutLike = InitrdPlan.builder()
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/bin/bash"), Path.of("/usr/bin/bash"), 0755, "t"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/bin"), "usr/bin", "t"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/etc/cmdline.d/00-x.conf"), "rd.x=1\n", 0644, "t"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/usr/bin/bash-wrapper"), "#!/bin/sh\n", 0755, "t"))
                .add(new PlanEntry.RegularFile(InitrdPath.of("/usr/lib/modules/9.9.9-test/kernel/fs/fake.ko"), ko, 0644,
                        "t"))
                .add(new PlanEntry.Directory(InitrdPath.of("/sysroot"), 0755, "t"))
                .add(new PlanEntry.Directory(InitrdPath.of("/var/tmp"), 01777, "t"))
                .add(new PlanEntry.DeviceNode(InitrdPath.of("/dev/console"), 'c', 5, 1, 0600, "t"))
                .build();
        Path image = dir.resolve("dracut.img");
        InitrdWriter.write(dracutLike, Compression.parse("zstd:3"), List.of(), image);

        InitrdReader.Contents read = InitrdReader.read(image);
        DracutContents c = DracutContents.from(read, new DebianKernel("9.9.9-test", moduleDir), dir.resolve("work"));
        assertEquals(c.copied(), 2, "bash from the host, fake.ko from the module tree");
        assertEquals(c.generated(), 2);
        assertEquals(c.links(), 1);
        assertEquals(Files.getAttribute(c.sysroot().resolve("usr/bin/bash"), "unix:ino"),
                Files.getAttribute(Path.of("/usr/bin/bash"), "unix:ino"), "a hard link, not a copy");

        Path ours = dir.resolve("ours.img");
        int exit = Main.commandLine().execute("build-initrd", "--contents", c.contents().toString(), "--sysroot",
                c.sysroot().toString(), "--allow-missing", "--output", ours.toString());
        assertEquals(exit, 0);
        InitrdDiff diff = InitrdDiff.of(read, InitrdReader.read(ours));
        // bash's libraries are not in the sysroot (this image left them out): warnings, not entries.
        assertTrue(diff.isEmpty(), "only dracut's: " + diff.removed() + ", only ours: " + diff.added()
                + ", changed: " + diff.changed());
    }

    @Test
    public void earlyMicrocodeArchiveIsLeftToPrepend() throws Exception {
        Path dir = Files.createTempDirectory("dracut-early");
        InitrdPlan earlyPlan = InitrdPlan.builder()
                .add(PlanEntry.Generated.text(InitrdPath.of("/kernel/x86/microcode/GenuineIntel.bin"), "ucode", 0644, "t"))
                .build();
        Path early = dir.resolve("early.cpio");
        InitrdWriter.write(earlyPlan, Compression.NONE, List.of(), early);
        InitrdPlan main = InitrdPlan.builder()
                .add(PlanEntry.Generated.text(InitrdPath.of("/init"), "#!/bin/sh\n", 0755, "t")).build();
        Path image = dir.resolve("dracut.img");
        InitrdWriter.write(main, Compression.parse("zstd:3"), List.of(early), image);

        InitrdReader.Contents read = InitrdReader.read(image);
        assertEquals(DracutContents.mainArchive(read), 1);
        DracutContents c = DracutContents.from(read, new DebianKernel("9.9.9-test", dir), dir.resolve("work"));
        assertEquals(c.generated(), 1, "only /init; the microcode stays in the early archive");
        Path extracted = dir.resolve("extracted.cpio");
        assertTrue(DracutContents.extractEarlyArchives(read, image, extracted));
        assertEquals(Files.readAllBytes(extracted), Files.readAllBytes(early));
    }
}
