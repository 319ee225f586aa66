package org.initrdharness.cli;

import picocli.CommandLine.Model.CommandSpec;

/** How a command reports a failure: one line naming what failed and why, exit status 2. */
public final class Failures {
    public static final int EXIT = 2;

    private Failures() {}

    public static int report(CommandSpec spec, String what, Throwable e) {
        String why = e instanceof java.nio.file.NoSuchFileException n ? "no such file: " + n.getFile()
                : e instanceof java.nio.file.AccessDeniedException a ? "permission denied: " + a.getFile()
                : e.getMessage() == null ? e.toString() : e.getMessage();
        spec.commandLine().getErr().println(spec.name() + ": " + what + ": " + why);
        spec.commandLine().getErr().flush();
        return EXIT;
    }
}
