package org.initrdharness.vm.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Runs commands in whatever POSIX shell reads the console (busybox sh, bash, the systemd
 * emergency shell). Each command is typed as one line between two markers,
 * {@code echo BEGIN-<nonce>; cmd; echo END-<nonce>-$?}; the nonce is split by an empty quote
 * in what is typed, so the terminal's echo of the line never matches a marker, and prompts
 * drawn before or after the markers never reach the output.
 */
public final class ShellSession {

    /** The deadline of {@link #run(String)} before scaling. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Console console;

    ShellSession(Console console) {
        this.console = console;
    }

    /** Runs {@code command} with the default deadline. */
    public ShellResult run(String command) {
        return run(command, DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code command} (one line; it must not read the console's input) and waits for its
     * exit status.
     *
     * @throws org.initrdharness.vm.BootFailure when the command does not finish in time (scaled),
     *         the guest exits, or a failure pattern shows up meanwhile
     */
    public ShellResult run(String command, Duration timeout) {
        if (command.contains("\n") || command.contains("\r")) {
            throw new IllegalArgumentException("shell command must be one line: '" + command.replace("\n", "\\n") + "'");
        }
        String nonce = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        String a = nonce.substring(0, 8);
        String b = nonce.substring(8);
        String begin = "BEGIN-" + a + b;
        String end = "END-" + a + b + "-";
        long started = System.nanoTime();
        try {
            console.sendLine("echo BEGIN-" + a + "''" + b + "; " + command + "; echo END-" + a + "''" + b + "-$?");
        } catch (IOException e) {
            throw new UncheckedIOException("could not type on the " + console.where() + " console: " + e.getMessage(), e);
        }
        ConsoleMatch first = console.waitFor(Pattern.compile(Pattern.quote(begin)), timeout);
        ConsoleMatch last = console.waitFor(Pattern.compile(Pattern.quote(end) + "(\\d+)"), timeout);
        String output = console.textBetween(first, last);
        return new ShellResult(command, Integer.parseInt(last.group(1)), output,
                (System.nanoTime() - started) / 1e9);
    }
}
