package dev.killswitch.agent.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Gives picocli only the subcommand a command line names. Picocli models each command by reflection when it is
 * added (about 0.1 s of CPU for all of a program's commands, on every run); help, {@code --version} and an unknown
 * word still get the whole list, so their output is unchanged.
 */
public final class Subcommands {
    private Subcommands() {
    }

    /** Adds the subcommand {@code args[0]} names, or every one of {@code all} (in help order) when none is named. */
    public static void add(CommandLine cl, List<Class<?>> all, String... args) {
        Class<?> named = args.length == 0 ? null : all.stream()
                .filter(c -> c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(args[0]))
                .findFirst().orElse(null);
        for (Class<?> c : named != null ? List.of(named) : all) {
            cl.addSubcommand(c);
        }
    }
}
