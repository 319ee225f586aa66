package org.initrdharness.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code initrd-harness}: build initrds, boot them in QEMU, run the boot matrix. Exit status 2
 * for bad input (one line naming the command, the file or option and what is allowed), never a
 * stack trace unless {@code --debug} comes first.
 */
@Command(name = "initrd-harness", mixinStandardHelpOptions = true, version = "initrd-harness 0.1.0",
        description = {"Builds initrds, boots them in QEMU guests and asserts what stage 1 did.",
                "--debug before the command shows the stack trace of a failure."},
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Runnable {
    private static volatile boolean debug = "1".equals(System.getenv("INITRD_HARNESS_DEBUG"));

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Whether failures show their stack trace. */
    static boolean debug() {
        return debug;
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        List<CliCommand> contributed = new ArrayList<>();
        ServiceLoader.load(CliCommand.class).forEach(contributed::add);
        contributed.sort(Comparator.comparing(c -> c.getClass().getName()));
        for (CliCommand c : contributed) {
            cli.addSubcommand(c.command());
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(Main::badArguments);
        cli.setExecutionExceptionHandler((e, command, parsed) -> Failures.report(command.getCommandSpec(),
                "failed", e));
        return cli;
    }

    /** One line saying what is wrong with the arguments, one saying where help is; no usage dump. */
    private static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().name();
        err.println(Failures.escaped(name + ": " + e.getMessage()));
        err.println("  see: initrd-harness " + (cmd.getParent() == null ? "--help" : "help " + name));
        if (debug) e.printStackTrace(err);
        err.flush();
        return Failures.EXIT;
    }

    /** Runs a command line; {@code --debug} before the command turns on stack traces. */
    public static int execute(String... args) {
        int first = 0;
        while (first < args.length && args[first].equals("--debug")) {
            debug = true;
            first++;
        }
        String[] rest = java.util.Arrays.copyOfRange(args, first, args.length);
        try {
            return commandLine().execute(rest);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // Not from any input we know of: the parsers bound depth and size. Say so in one line.
            System.err.println("initrd-harness: internal error: " + e + "; run with --debug and report it");
            if (debug) e.printStackTrace();
            return Failures.EXIT;
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
