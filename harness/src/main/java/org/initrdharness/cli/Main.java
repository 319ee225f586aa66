package org.initrdharness.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code initrd-harness}: build initrds, boot them in QEMU, run the boot matrix. */
@Command(name = "initrd-harness", mixinStandardHelpOptions = true, version = "initrd-harness 0.1.0",
        description = "Builds initrds, boots them in QEMU guests and asserts what stage 1 did.",
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
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
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
