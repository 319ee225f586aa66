package org.initrdharness.report.profile;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.testng.annotations.Test;

/** The profile of a recorded boot of our stage 1 (x86_64, PVH), and of hand-written lines. */
public class Stage1ProfileTest {

    private static List<String> fixture() throws IOException {
        try (InputStream in = Stage1ProfileTest.class.getResourceAsStream("ours-x86_64-pvh.console.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static Stage1Profile recorded() throws IOException {
        return Stage1Profile.parse(fixture(), Stage1Profile.STAGE2_MARKER, List.of());
    }

    private static UnitTiming unit(Stage1Profile p, String name) {
        return p.units().stream().filter(u -> u.unit().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + p.units()));
    }

    @Test
    public void milestonesOfARecordedBoot() throws IOException {
        Stage1Profile p = recorded();
        assertEquals(p.phases().get(Phase.KERNEL), 0.728);
        assertEquals(p.phases().get(Phase.INIT), 4.185);
        assertEquals(p.phases().get(Phase.SYSTEMD), 4.615);
        assertEquals(p.phases().get(Phase.ROOT_DEVICE), 7.996);
        assertEquals(p.phases().get(Phase.SYSROOT), 10.451);
        assertEquals(p.phases().get(Phase.SWITCH_ROOT), 11.450);
        assertEquals(p.phases().get(Phase.STAGE2), 12.571);
        assertEquals(p.spans().get("init-to-stage2"), 12.571 - 4.185, 1e-9);
    }

    @Test
    public void cutStatusLinesAreResolvedToUnitNames() throws IOException {
        Stage1Profile p = recorded();
        // Started after journald took the log over: only the cut status line names it.
        UnitTiming trigger = unit(p, "systemd-udev-trigger.service");
        assertEquals(trigger.start(), 5.705);
        assertEquals(trigger.ready(), 8.663);
        UnitTiming plymouth = unit(p, "plymouth-switch-root.service");
        assertEquals(plymouth.start(), 11.130);
        assertEquals(plymouth.ready(), 11.336);
        UnitTiming device = unit(p, "dev-disk-by\\x2dlabel-stage2root.device");
        assertEquals(device.start(), 5.450);
        assertEquals(device.ready(), 7.982);
        assertEquals(unit(p, "systemd-ask-password-plymouth.path").ready(), 10.029);
        assertTrue(p.units().stream().noneMatch(u -> u.unit().contains("…")), "unresolved: " + p.units());
        assertFalse(unit(p, "systemd-journald.service").failed());
    }

    @Test
    public void criticalChainRunsBackFromTheSwitchRootTarget() throws IOException {
        Stage1Profile p = recorded();
        List<String> chain = p.chain().stream().map(UnitTiming::unit).toList();
        assertEquals(chain, List.of("initrd-switch-root.target", "initrd-udevadm-cleanup-db.service",
                "initrd-cleanup.service", "initrd.target", "initrd-fs.target", "initrd-parse-etc.service",
                "initrd-root-fs.target", "sysroot.mount", "systemd-fsck-root.service", "initrd-root-device.target",
                "dev-disk-by\\x2dlabel-stage2root.device"));
        assertTrue(p.format().contains("└─sysroot.mount @10.444 +0.196"), p.format());
    }

    @Test
    public void theInitrdsOwnUnitNamesResolveItsCutLines() {
        List<String> lines = List.of("[    9.000]          Starting harness-sysroot.s…Mark what sysroot.mount was...",
                "[    9.500] [  OK  ] Finished harness-sysroot.s…e - Mark what sysroot.mount was.");
        Stage1Profile unknown = Stage1Profile.parse(lines, Stage1Profile.STAGE2_MARKER, List.of());
        assertEquals(unknown.units(), List.of(new UnitTiming("harness-sysroot.s…", 9.0, 9.5, false)),
                "named by what precedes the cut, start and ready together");
        Stage1Profile known = Stage1Profile.parse(lines, Stage1Profile.STAGE2_MARKER, List.of("harness-sysroot.service"));
        UnitTiming u = unit(known, "harness-sysroot.service");
        assertEquals(u.start(), 9.0);
        assertEquals(u.ready(), 9.5);
    }

    @Test
    public void failedUnitsAndMissingMilestones() {
        List<String> lines = List.of(
                "[    1.000] [    0.000000] Linux version 6.1.0",
                "[    2.000] [    1.000000] Run /init as init process",
                "[    2.500]          Starting foo.service - Foo...",
                "[    3.000] [FAILED] Failed to start foo.service - Foo.",
                "[    3.100] >>> [  OK  ] Started typed.service - not a status line.");
        Stage1Profile p = Stage1Profile.parse(lines, Stage1Profile.STAGE2_MARKER, List.of());
        UnitTiming foo = unit(p, "foo.service");
        assertTrue(foo.failed());
        assertEquals(foo.start(), 2.5);
        assertNull(foo.ready());
        assertNull(p.phases().get(Phase.STAGE2));
        assertNull(p.spans().get("init-to-stage2"));
        assertEquals(p.units().size(), 1, "typed input is no status line: " + p.units());
        assertTrue(p.chain().isEmpty());
    }

    @Test
    public void summaryTakesMediansPerUnitAndPhase() throws IOException {
        Stage1Profile p = recorded();
        Stage1Profile later = Stage1Profile.parse(fixture().stream().map(l -> shift(l, 1.0)).toList(),
                Stage1Profile.STAGE2_MARKER, List.of());
        ProfileSummary s = ProfileSummary.of(List.of(p, later, later));
        assertEquals(s.boots(), 3);
        assertEquals(s.phase(Phase.STAGE2), 13.571, 1e-6);
        assertEquals(s.unitTook("systemd-journald.service"), 1.795, 1e-6);
        ProfileSummary.Unit journald = s.units().stream().filter(u -> u.unit().equals("systemd-journald.service"))
                .findFirst().orElseThrow();
        assertEquals(journald.tookTotal(), 3 * 1.795, 1e-6);
        String table = ProfileSummary.sideBySide(new java.util.LinkedHashMap<>(java.util.Map.of("ours", s)));
        assertTrue(table.contains("systemd-journald.service"), table);
    }

    /** The line with its harness time moved by {@code by} seconds. */
    private static String shift(String line, double by) {
        if (!line.startsWith("[")) return line;
        int end = line.indexOf(']');
        double t = Double.parseDouble(line.substring(1, end).trim()) + by;
        return String.format(Locale.ROOT, "[%9.3f]", t) + line.substring(end + 1);
    }
}
