package org.initrdharness.report.profile;

import java.util.Objects;

/**
 * One stage-1 unit's job, in seconds since QEMU started (the console log's clock).
 *
 * @param unit  the unit's name ("systemd-journald.service"); where systemd's status line was cut
 *              to 80 columns and no full name was seen, the cut text ("systemd-udev-trig…")
 * @param start when its start job began ("Starting", "Mounting", "Expecting device"), or null:
 *              targets, sockets and fast units print only that they are ready
 * @param ready when it became ready ("Started", "Finished", "Mounted", "Reached target", "Found
 *              device", "Listening on"), or null when it never did
 * @param failed true when systemd said it failed, timed out or a dependency failed
 */
public record UnitTiming(String unit, Double start, Double ready, boolean failed) {
    public UnitTiming {
        Objects.requireNonNull(unit, "unit");
    }

    /** ready - start, or null when either is unknown. */
    public Double took() {
        return start == null || ready == null ? null : ready - start;
    }

    /** When it began: its start, else its ready time. */
    public Double begun() {
        return start != null ? start : ready;
    }
}
