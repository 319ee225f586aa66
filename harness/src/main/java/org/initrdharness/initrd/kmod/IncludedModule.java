package org.initrdharness.initrd.kmod;

/**
 * A module an initrd gets, and why.
 *
 * @param info   what its {@code .modinfo} says
 * @param reason what brought it in
 */
public record IncludedModule(ModuleInfo info, Reason reason) {
    public String name() {
        return info.name();
    }

    /** Why a module came in: asked for by name, or needed by another module. */
    public record Reason(Kind kind, String by) {
        public enum Kind { NAMED, DEPENDENCY, SOFTDEP_PRE, SOFTDEP_POST }

        public static Reason named(String asked) {
            return new Reason(Kind.NAMED, asked);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NAMED -> "named (" + by + ")";
                case DEPENDENCY -> "dependency of " + by;
                case SOFTDEP_PRE -> "soft pre-dependency of " + by;
                case SOFTDEP_POST -> "soft post-dependency of " + by;
            };
        }
    }
}
