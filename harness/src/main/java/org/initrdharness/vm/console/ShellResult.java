package org.initrdharness.vm.console;

/**
 * What a command run on the console's shell did.
 *
 * @param command    the command as typed
 * @param exitStatus its exit status ($?)
 * @param output     what it printed (stdout and stderr, lines joined with "\n", kernel messages left out)
 * @param seconds    how long it took, wall clock
 */
public record ShellResult(String command, int exitStatus, String output, double seconds) {

    public boolean succeeded() {
        return exitStatus == 0;
    }

    /** This result, or an {@link IllegalStateException} naming the command, status and output. */
    public ShellResult orThrow() {
        if (exitStatus != 0) {
            throw new IllegalStateException("guest command '" + command + "' exited with status " + exitStatus
                    + (output.isEmpty() ? "" : ":\n" + output));
        }
        return this;
    }
}
