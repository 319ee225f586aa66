package org.initrdharness.scenarios.matrix;

import org.initrdharness.vm.Arch;

/** One scenario class on one arch: the unit the matrix schedules, shards and reports. */
public record MatrixCell(Class<?> scenario, Arch arch) implements Comparable<MatrixCell> {

    /** "SwitchRootScenario[x86_64]": the name reports and test XML carry. */
    public String name() {
        return scenario.getSimpleName() + "[" + arch.id() + "]";
    }

    @Override
    public int compareTo(MatrixCell o) {
        return name().compareTo(o.name());
    }
}
