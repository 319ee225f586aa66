package org.initrdharness.scenarios.matrix;

import java.util.List;
import org.initrdharness.images.Release;
import org.initrdharness.vm.Arch;

/**
 * What a run covers: a suite, its releases and arches as the command line names them (none
 * given: the suite's releases, both arches).
 */
public record Selection(Suite suite, List<Release> releases, List<Arch> arches) {

    /** @throws IllegalArgumentException naming the unknown suite, release or arch and the known ones */
    public static Selection parse(String suite, List<String> releases, List<String> arches) {
        Suite s = Suite.parse(suite);
        List<Release> r = releases.isEmpty() ? s.releases() : releases.stream().map(Release::parse).distinct().toList();
        List<Arch> a = arches.isEmpty() ? List.of(Arch.values()) : arches.stream().map(Arch::parse).distinct().toList();
        return new Selection(s, r, a);
    }
}
