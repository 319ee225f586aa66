package org.initrdharness.vm;

import java.time.Duration;
import java.util.regex.Pattern;
import org.initrdharness.vm.console.ConsoleMatch;
import org.initrdharness.vm.console.ShellResult;
import org.initrdharness.vm.console.ShellSession;

/**
 * The root shell of a stage 1 stopped at a {@link Breakpoint}, on the machine's second console.
 * Commands run through the {@link ShellSession} (output and exit status); {@link #resume()}
 * types {@code continue} and waits for stage 1 to say it goes on.
 */
public final class BreakShell {
    /** How long stage 1 may take to go on after the shell ends, before scaling. */
    static final Duration RESUME = Duration.ofSeconds(30);

    private final Machine machine;
    private final Breakpoint point;
    private final ConsoleMatch stopped;
    private boolean resumed;

    private BreakShell(Machine machine, Breakpoint point, ConsoleMatch stopped) {
        this.machine = machine;
        this.point = point;
        this.stopped = stopped;
    }

    /**
     * Waits for stage 1's line on the first console (where failures show too), then for the
     * same line and the shell's prompt on the second.
     */
    static BreakShell await(Machine m, Breakpoint point, Deadline deadline) {
        Pattern ready = Pattern.compile(Pattern.quote(point.readyLine()));
        ConsoleMatch said = m.console().waitFor(ready, deadline);
        m.secondConsole().waitFor(ready, deadline);
        // The shell's line editor flushes what was typed before it first reads: wait for its prompt.
        m.secondConsole().waitFor(Pattern.compile(Pattern.quote(point.prompt())), deadline);
        m.timeline().record("break", "stage 1 stopped at " + point.id() + ", shell on " + m.spec().arch().secondConsole());
        return new BreakShell(m, point, said);
    }

    public Breakpoint point() { return point; }

    /** When stage 1 said it stopped, seconds since QEMU started. */
    public double seconds() { return stopped.seconds(); }

    /** The session on the second console's shell. */
    public ShellSession shell() { return machine.secondConsole().shell(); }

    /** Runs {@code command} in the stopped stage 1. */
    public ShellResult run(String command) {
        if (resumed) throw new IllegalStateException(machine.where() + ": stage 1 already continued after " + point.id());
        return shell().run(command);
    }

    /**
     * Ends the shell with {@code continue} and waits (scaled) for stage 1 to say it goes on past
     * the break point; returns when, seconds since QEMU started.
     */
    public double resume() {
        if (resumed) throw new IllegalStateException(machine.where() + ": stage 1 already continued after " + point.id());
        resumed = true;
        try {
            machine.secondConsole().sendLine("continue");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not type on " + machine.secondConsole().where() + ": " + e.getMessage(), e);
        }
        ConsoleMatch on = machine.console().waitFor(Pattern.compile(Pattern.quote(point.continuesLine())), RESUME);
        machine.timeline().record("break", "stage 1 continues after " + point.id());
        return on.seconds();
    }
}
