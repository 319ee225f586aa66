package org.initrdharness.scenarios.matrix;

import java.util.List;
import java.util.Locale;

/** A named selection of scenario tests, by TestNG group. */
public enum Suite {
    /** Switch-root on both arches: what every change runs. */
    SMOKE(List.of("smoke")),
    /** Everything: the nightly matrix. */
    NIGHTLY(List.of("smoke", "nightly"));

    private final List<String> groups;

    Suite(List<String> groups) {
        this.groups = groups;
    }

    public List<String> groups() {
        return groups;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Suite parse(String name) {
        for (Suite s : values()) {
            if (s.id().equalsIgnoreCase(name.trim())) return s;
        }
        throw new IllegalArgumentException("unknown suite '" + name + "': use smoke or nightly");
    }
}
