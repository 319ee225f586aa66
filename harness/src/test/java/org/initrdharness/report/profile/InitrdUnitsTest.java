package org.initrdharness.report.profile;

import static org.testng.Assert.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.initrdharness.initrd.Compression;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdWriter;
import org.initrdharness.initrd.PlanEntry;
import org.testng.annotations.Test;

/** The unit names read out of a compressed initrd. */
public class InitrdUnitsTest {

    @Test
    public void unitFilesAndLinksInTheUnitDirectoriesAreNamed() throws Exception {
        InitrdPlan plan = InitrdPlan.builder()
                .add(PlanEntry.Generated.text(InitrdPath.of("/usr/lib/systemd/system/harness-sysroot.service"), "[Unit]\n", 0644, "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/etc/systemd/system/mine.target"), "[Unit]\n", 0644, "test"))
                .add(new PlanEntry.Symlink(InitrdPath.of("/etc/systemd/system/initrd.target.wants/mine.service"),
                        "../mine.service", "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/usr/lib/systemd/system/README"), "not a unit\n", 0644, "test"))
                .add(PlanEntry.Generated.text(InitrdPath.of("/usr/lib/other/x.service"), "elsewhere\n", 0644, "test"))
                .build();
        Path initrd = Files.createTempFile("units-", ".img");
        try {
            InitrdWriter.write(plan, Compression.parse("zstd:3"), List.of(), initrd);
            // A .wants link names a unit defined elsewhere, so it adds nothing a unit file does not.
            assertEquals(InitrdUnits.of(initrd), Set.of("harness-sysroot.service", "mine.target"));
        } finally {
            Files.deleteIfExists(initrd);
        }
    }
}
