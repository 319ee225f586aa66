package org.initrdharness.report.html;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.initrdharness.report.milestones.Milestone;
import org.testng.annotations.Test;

/**
 * The page of a recorded boot that failed (x86_64, our stage 1 told to mount a root no disk
 * has: the device timeout, then emergency mode), and of a console log full of what must not
 * reach a page as markup.
 */
public class BootPageTest {

    private static Path recorded() throws IOException {
        Path dir = Files.createTempDirectory("boot-page");
        for (String f : new String[] {"console.log", "timeline.txt"}) {
            try (InputStream in = BootPageTest.class.getResourceAsStream("missing-root-x86_64/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        return dir;
    }

    @Test
    public void aFailedBootHasItsMilestonesUpToTheFailure() throws IOException {
        BootView v = BootView.load(recorded());
        assertEquals(v.milestones().at(Milestone.KERNEL), 1.256);
        assertEquals(v.milestones().at(Milestone.INIT), 5.384);
        assertNull(v.milestones().at(Milestone.ROOT_DEVICE), "initrd-root-device.target failed: no time");
        assertNull(v.milestones().at(Milestone.SYSROOT_MOUNT));
        assertNull(v.milestones().at(Milestone.STAGE2));
        assertEquals(v.milestones().end(), 15.908);
        assertTrue(v.profile().units().stream().anyMatch(u -> u.unit().equals("sysroot.mount") && u.failed()), "sysroot.mount failed");
    }

    @Test
    public void failingAndMatchedLinesAreMarked() throws IOException {
        BootView v = BootView.load(recorded());
        assertEquals(v.marks().of(406), ConsoleMarks.FAIL, "the line the failure pattern caught (from the timeline)");
        assertEquals(v.marks().of(396), ConsoleMarks.FAIL, "the device timeout");
        assertEquals(v.marks().of(398), ConsoleMarks.FAIL, "sysroot.mount's failed dependency");
        assertEquals(v.marks().firstFailure(), 396);
        assertNull(v.marks().of(339));
        assertEquals(v.focusLine(), 396);
    }

    @Test
    public void thePageAnchorsEveryLineAndDrawsTheFailedUnit() throws IOException {
        BootView v = BootView.load(recorded());
        String page = Files.readString(BootPage.write(v, new BootPage.Header("t", "FAIL", "emergency mode", null, v.dir())));
        assertTrue(page.contains("<span class=\"l fail\" id=\"L396\"><a href=\"#L396\">396</a>"), "anchored and highlighted");
        assertTrue(page.contains("id=\"L1\"") && page.contains("id=\"L406\""));
        assertTrue(page.contains("<svg class=\"timeline\""));
        assertTrue(page.contains("<g class=\"unit failed\"><title>sysroot.mount: "), "sysroot.mount is drawn as failed");
        assertTrue(page.contains("data-milestone=\"init\""));
        assertFalse(page.contains("data-milestone=\"stage2\""), "a milestone never reached is not drawn");
    }

    @Test
    public void consoleBytesNeverBecomeMarkup() throws IOException {
        Path dir = Files.createTempDirectory("boot-page-bytes");
        byte[] nasty = ("[    1.000] <script>alert(1)</script> & \"q\" 'a'\n"
                + "[    2.000] \u001b[0;31mred\u001b[0m \u0000 \u0007 tab\there\n"
                + "[    3.000] >>> <secret>\\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'[', ' ', '4', '.', '0', '0', '0', ']', ' ', (byte) 0xff, (byte) 0xc3, '<', '\n'};
        Files.write(dir.resolve("console.log"), nasty);
        Files.write(dir.resolve("console.log"), bad, java.nio.file.StandardOpenOption.APPEND);
        BootView v = BootView.load(dir);
        String page = Files.readString(BootPage.write(v, new BootPage.Header("<b>", "FAIL", "</p><i>", null, dir)));
        assertFalse(page.contains("<script>") || page.contains("<b>") || page.contains("<i>"), page);
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;"));
        assertTrue(page.contains("\\x1b[0;31mred\\x1b[0m \\x00 \\x07 tab\there"), "control characters shown, not sent");
        assertTrue(page.contains("<span class=\"in\">&gt;&gt;&gt; &lt;secret&gt;\\r</span>"), "input marked as such");
        assertTrue(page.contains("\ufffd\ufffd&lt;"), "bytes that are no UTF-8 become replacement characters");
        assertEquals(Html.esc("a\ud800b"), "a\ufffdb", "a lone surrogate is replaced");
        assertEquals(Html.esc("\ud83d\ude00"), "\ud83d\ude00", "a pair is kept");
    }
}
