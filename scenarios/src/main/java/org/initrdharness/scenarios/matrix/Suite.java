package org.initrdharness.scenarios.matrix;

import java.util.List;
import java.util.Locale;
import org.initrdharness.images.Release;

/** A named selection of scenario tests, by TestNG group, and the releases it runs them on by default. */
public enum Suite {
    /** Switch-root on every release and arch: what every change runs. */
    SMOKE(List.of("smoke"), List.of(Release.values())),
    /** Everything on every release: the nightly matrix. */
    NIGHTLY(List.of("smoke", "nightly"), List.of(Release.values()));

    private final List<String> groups;
    private final List<Release> releases;

    Suite(List<String> groups, List<Release> releases) {
        this.groups = groups;
        this.releases = releases;
    }

    public List<String> groups() {
        return groups;
    }

    /** The releases the suite runs on when {@code --release} is not given. */
    public List<Release> releases() {
        return releases;
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
