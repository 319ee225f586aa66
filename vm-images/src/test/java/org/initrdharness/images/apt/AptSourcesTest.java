package org.initrdharness.images.apt;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.initrdharness.images.DebFixtures;
import org.initrdharness.images.Release;
import org.testng.annotations.Test;

/** A release's apt configuration lives in its own directory and names only that release's suites. */
public class AptSourcesTest {

    @Test
    public void eachReleaseHasItsOwnSourcesListsAndCache() throws IOException {
        Path dir = DebFixtures.scratch("apt-sources").resolve("trixie");
        AptSources s = AptSources.of(Release.TRIXIE, dir);
        List<String> lines = Files.readAllLines(dir.resolve("sources.list")).stream().filter(l -> l.startsWith("deb ")).toList();
        assertEquals(lines.size(), 3, "trixie, trixie-updates and trixie-security: " + lines);
        for (String l : lines) {
            assertTrue(l.contains("signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"), l);
            assertTrue(l.contains("arch=amd64,arm64"), l);
            // apt's one-line format takes one suite per line; a second word would be read as a component.
            assertTrue(l.endsWith(" main"), l);
            assertTrue(l.split(" ")[4].startsWith("trixie"), l);
        }
        assertTrue(lines.get(2).contains("debian-security trixie-security main"), lines.get(2));
        String options = String.join(" ", s.options());
        for (String own : List.of("Dir::Etc::SourceList=" + dir.resolve("sources.list"), "Dir::Etc::SourceParts=" + dir.resolve("parts"),
                "Dir::State::Lists=" + dir.resolve("lists"), "Dir::Cache=" + dir.resolve("cache"))) {
            assertTrue(options.contains(own), own + " in " + options);
        }
        assertTrue(Files.isDirectory(dir.resolve("lists/partial")), "apt needs lists/partial");
        assertEquals(s.lists(), dir.resolve("lists"));
    }

    @Test
    public void theSourcesListIsOnlyRewrittenWhenItChanges() throws Exception {
        Path dir = DebFixtures.scratch("apt-sources-stamp").resolve("bookworm");
        AptSources.of(Release.BOOKWORM, dir);
        var before = Files.getLastModifiedTime(dir.resolve("sources.list"));
        Thread.sleep(20);
        AptSources.of(Release.BOOKWORM, dir);
        // Its mtime is part of the lists' fingerprint: a rewrite would make every run resolve again.
        assertEquals(Files.getLastModifiedTime(dir.resolve("sources.list")), before);
    }
}
