package org.initrdharness.scenarios.support;

import java.util.Locale;

/** Which boots a run packs into bundles: every one, the failed ones, or none. */
public enum BundleMode {
    ALWAYS, FAILED, NEVER;

    /** "always", "failed" or "never"; empty means failed. */
    public static BundleMode parse(String s) {
        if (s == null || s.isBlank()) return FAILED;
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bundles '" + s + "': give always, failed or never");
        }
    }

    public boolean packs(boolean failed) {
        return this == ALWAYS || (this == FAILED && failed);
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
