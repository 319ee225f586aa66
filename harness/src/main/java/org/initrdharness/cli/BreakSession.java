package org.initrdharness.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.initrdharness.vm.BreakShell;
import org.initrdharness.vm.console.ShellResult;

/**
 * {@code boot --break POINT} without {@code --interactive}: each line read from stdin runs in
 * the stopped stage 1's shell, its output and exit status printed; {@code continue} or the end
 * of input lets the boot go on.
 */
final class BreakSession {
    private BreakSession() {}

    static void drive(BreakShell shell, java.io.InputStream in, PrintStream out, PrintStream err) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while (true) {
            err.print("break " + shell.point().id() + "> ");
            err.flush();
            line = r.readLine();
            if (line == null || line.strip().equals("continue")) break;
            if (line.isBlank()) continue;
            ShellResult res = shell.run(line.strip());
            if (!res.output().isEmpty()) out.println(res.output());
            out.flush();
            err.printf(Locale.ROOT, "boot: [exit %d] %s (%.1f s)%n", res.exitStatus(), res.command(), res.seconds());
        }
        if (line == null) err.println();
        double at = shell.resume();
        err.printf(Locale.ROOT, "boot: stage 1 continues after %s at %.1f s%n", shell.point().id(), at);
    }
}
