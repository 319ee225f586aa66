package org.initrdharness.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.initrdharness.vm.Machine;
import org.initrdharness.vm.console.Console;

/**
 * This process's terminal joined to one guest console at a time, in raw mode: what the person
 * types goes to the attached console, what it prints comes out. Ctrl-] or the end of input
 * kills QEMU (nobody is left to type). One reader thread for the process's whole stdin, so a
 * boot can move the person from the second console (a break shell) to the first.
 */
final class Terminal implements AutoCloseable {
    private final Machine machine;
    private final AtomicReference<Console> target = new AtomicReference<>();
    private final boolean raw;
    private Console shown;

    Terminal(Machine machine) {
        this.machine = machine;
        this.raw = stty("raw", "-echo");
        Thread pump = new Thread(this::pump, "terminal-input");
        pump.setDaemon(true);
        pump.start();
    }

    /** Sends what is typed to {@code console}, and shows what it prints instead of the previous one. */
    void attach(Console console) {
        if (shown != null) shown.untap(System.out);
        console.tap(System.out);
        shown = console;
        target.set(console);
    }

    private void pump() {
        InputStream in = System.in;
        byte[] buf = new byte[256];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                Console c = target.get();
                for (int i = 0; i < n; i++) {
                    if (buf[i] == 0x1d) { // Ctrl-]
                        if (i > 0 && c != null) c.sendBytes(Arrays.copyOf(buf, i));
                        machine.kill();
                        return;
                    }
                }
                if (c != null) c.sendBytes(Arrays.copyOf(buf, n));
            }
            machine.kill();
        } catch (IOException e) {
            // the console closed
        }
    }

    /** Untaps and restores the terminal; idempotent. */
    @Override
    public synchronized void close() {
        if (shown != null) shown.untap(System.out);
        shown = null;
        if (raw && !restored) stty("sane");
        restored = true;
    }

    private boolean restored;

    static boolean stty(String... args) {
        if (System.console() == null) return false;
        List<String> cmd = new ArrayList<>(List.of("stty"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) { // every host tool has a deadline
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
