package org.initrdharness.vm.console;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.initrdharness.vm.BootFailure;

/**
 * Console output that ends any wait at once with a {@link BootFailure}, instead of letting it
 * run into its deadline.
 *
 * @param name    what it means, used in the failure message ("kernel panic")
 * @param pattern found anywhere in a console line
 * @param kind    the failure's kind
 */
public record FailurePattern(String name, Pattern pattern, BootFailure.Kind kind) {

    public static final FailurePattern KERNEL_PANIC = new FailurePattern("kernel panic",
            Pattern.compile("Kernel panic - not syncing"), BootFailure.Kind.KERNEL_PANIC);

    /**
     * A line plymouth 24 (Debian 13) replays from the kernel log when it starts: systemd's kmsg
     * lines without the kernel's timestamp, which every live one has. Old news, never a failure.
     */
    private static final String NOT_REPLAYED = "(?<!^systemd\\[1\\]: )";

    /** systemd's "[FAILED] Failed to start foo.service - Foo." and the like. */
    public static final FailurePattern UNIT_FAILED = new FailurePattern("unit failed",
            Pattern.compile(NOT_REPLAYED + "Failed to start \\S+"), BootFailure.Kind.UNIT_FAILED);

    /** systemd's emergency target and shell, dracut's emergency shell. */
    public static final FailurePattern EMERGENCY_MODE = new FailurePattern("emergency mode",
            Pattern.compile("You are in emergency mode|Entering emergency mode|" + NOT_REPLAYED + "Reached target emergency\\.target"),
            BootFailure.Kind.EMERGENCY_MODE);

    /**
     * systemd as PID 1 gave up ("Failed to allocate manager object", a crash): it freezes
     * instead of exiting, so nothing else would ever end the wait.
     */
    public static final FailurePattern INIT_FROZEN = new FailurePattern("systemd (PID 1) froze",
            Pattern.compile("systemd\\[1\\]: Freezing execution|\\] Freezing execution\\.$"), BootFailure.Kind.INIT_FROZEN);

    /** What every console fails on unless told otherwise. */
    public static final List<FailurePattern> DEFAULTS = List.of(KERNEL_PANIC, INIT_FROZEN, UNIT_FAILED, EMERGENCY_MODE);

    public FailurePattern {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(kind, "kind");
    }

    /** A pattern a test or user adds: any match fails the boot. */
    public static FailurePattern of(String regex) {
        return new FailurePattern("failure pattern /" + regex + "/", Pattern.compile(regex), BootFailure.Kind.PATTERN);
    }
}
