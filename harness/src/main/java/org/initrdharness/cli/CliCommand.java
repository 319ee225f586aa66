package org.initrdharness.cli;

/**
 * A sub-command contributed by a module through {@code META-INF/services}, so that modules
 * further down the dependency chain (vm-images, scenarios) can add commands without the
 * harness depending on them. Implementations are picocli {@code @Command} classes.
 */
public interface CliCommand {
    /** The picocli command object (usually {@code this}). */
    default Object command() {
        return this;
    }
}
