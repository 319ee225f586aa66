package org.initrdharness.scenarios.matrix;

import org.initrdharness.images.Release;
import org.initrdharness.vm.Arch;

/** One scenario class on one release and arch: the unit the matrix schedules, shards and reports. */
public record MatrixCell(Class<?> scenario, Release release, Arch arch) implements Comparable<MatrixCell> {

    /** "SwitchRootScenario[trixie/x86_64]": the name reports and test XML carry. */
    public String name() {
        return scenario.getSimpleName() + "[" + column(release.id(), arch.id()) + "]";
    }

    /** "trixie/x86_64": a column of the summary table. */
    public static String column(String release, String arch) {
        return release == null ? arch : release + "/" + arch;
    }

    @Override
    public int compareTo(MatrixCell o) {
        return name().compareTo(o.name());
    }
}
