package org.initrdharness.bisect;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.initrdharness.initrd.CpioWriter;
import org.initrdharness.initrd.InitrdDiff;
import org.initrdharness.initrd.InitrdEntry;
import org.initrdharness.initrd.InitrdPath;
import org.initrdharness.initrd.InitrdPlan;
import org.initrdharness.initrd.InitrdReader;
import org.initrdharness.initrd.PlanEntry;
import org.testng.annotations.Test;

/**
 * Hybrids stay trees: a good initrd with /lib a directory and a bad one that turned it into a
 * link into /usr (merged /usr), with files under both.
 */
public class HybridsTest {

    private static InitrdReader.Contents contents(InitrdPlan plan) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CpioWriter(1).write(plan, out);
        return InitrdReader.read(new ByteArrayInputStream(out.toByteArray()), "test");
    }

    private static PlanEntry file(String path, String text) {
        return PlanEntry.Generated.text(InitrdPath.of(path), text, 0644, "test");
    }

    private final Hybrids hybrids;
    private final Map<String, Integer> index = new TreeMap<>();

    public HybridsTest() throws Exception {
        InitrdReader.Contents good = contents(InitrdPlan.builder()
                .add(new PlanEntry.Directory(InitrdPath.of("/lib"), 0755, "test"))
                .add(file("/lib/libc.so", "old libc"))
                .add(file("/etc/os-release", "ID=test"))
                .build());
        InitrdReader.Contents bad = contents(InitrdPlan.builder()
                .add(new PlanEntry.Symlink(InitrdPath.of("/lib"), "usr/lib", "test"))
                .add(new PlanEntry.Directory(InitrdPath.of("/usr"), 0755, "test"))
                .add(new PlanEntry.Directory(InitrdPath.of("/usr/lib"), 0755, "test"))
                .add(file("/usr/lib/libc.so", "new libc"))
                .add(file("/etc/os-release", "ID=test"))
                .build());
        List<Delta> deltas = Delta.of(InitrdDiff.of(good, bad));
        for (Delta d : deltas) index.put(d.path(), d.index());
        hybrids = new Hybrids(good, bad, deltas);
    }

    private SortedSet<Integer> set(String... paths) {
        SortedSet<Integer> s = new TreeSet<>();
        for (String p : paths) s.add(index.get(p));
        return s;
    }

    @Test
    public void theDeltasAreTheChangedLinkTheRemovedFileAndTheAddedTree() {
        assertEquals(index.keySet().toString(), "[/lib, /lib/libc.so, /usr, /usr/lib, /usr/lib/libc.so]");
    }

    @Test
    public void aFileUnderAnAddedDirectoryTakesItsParents() {
        assertEquals(hybrids.effective(set("/usr/lib/libc.so")), set("/usr", "/usr/lib", "/usr/lib/libc.so"));
    }

    @Test
    public void aDirectoryTurnedIntoALinkTakesTheRemovalOfWhatWasUnderIt() {
        assertEquals(hybrids.effective(set("/lib")), set("/lib", "/lib/libc.so"));
        assertNull(hybrids.view("/lib/libc.so", hybrids.effective(set("/lib"))));
    }

    @Test
    public void aRemovalAloneTakesNothingMore() {
        assertEquals(hybrids.effective(set("/lib/libc.so")), set("/lib/libc.so"));
    }

    @Test
    public void everyHybridOfOneDeltaIsAPlanTheWriterTakes() throws Exception {
        for (int i : index.values()) {
            SortedSet<Integer> taken = hybrids.effective(new TreeSet<>(List.of(i)));
            List<String> left = new ArrayList<>();
            InitrdPlan plan = hybrids.plan(taken, left); // a plan refuses a file under a link
            InitrdReader.Contents back = contents(plan);
            assertTrue(left.isEmpty());
            for (InitrdEntry e : back.entries()) {
                assertEquals(e.text(), hybrids.view(e.path(), taken) == null ? null
                        : hybrids.view(e.path(), taken).text(), e.path());
            }
        }
    }
}
