package org.initrdharness.initrd;

import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link Closure} treats what it cannot find and how far it follows dlopen metadata.
 *
 * @param allowMissing a missing source or library becomes a warning instead of failing the build
 * @param dlopen which of systemd's {@code .note.dlopen} libraries to add (NONE: ignore the notes)
 */
public record ClosureOptions(boolean allowMissing, DlopenPriority dlopen) {
    public ClosureOptions {
        Objects.requireNonNull(dlopen, "dlopen");
    }

    /** Missing things fail the build; dlopen notes are ignored. */
    public static ClosureOptions defaults() {
        return new ClosureOptions(false, DlopenPriority.NONE);
    }

    public ClosureOptions withAllowMissing(boolean allow) {
        return new ClosureOptions(allow, dlopen);
    }

    public ClosureOptions withDlopen(DlopenPriority priority) {
        return new ClosureOptions(allowMissing, priority);
    }

    /**
     * The priorities of systemd's dlopen metadata, in order; a threshold includes every priority
     * up to itself (RECOMMENDED adds required and recommended libraries).
     */
    public enum DlopenPriority {
        NONE, REQUIRED, RECOMMENDED, SUGGESTED;

        /** True when a note entry of {@code priority} ("required", ...; missing means recommended) is included. */
        public boolean includes(String priority) {
            if (this == NONE) return false;
            DlopenPriority p = priority == null ? RECOMMENDED : parse(priority);
            return p.ordinal() <= ordinal();
        }

        /** Parses "required", "recommended", "suggested" or "none", in any case. */
        public static DlopenPriority parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InitrdBuildException("unknown dlopen priority '" + s
                        + "'; use none, required, recommended or suggested");
            }
        }
    }
}
