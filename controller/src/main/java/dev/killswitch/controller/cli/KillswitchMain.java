package dev.killswitch.controller.cli;

import dev.killswitch.agent.cli.Subcommands;
import dev.killswitch.controller.lab.LabCommand;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code killswitch} controller. */
@Command(name = "killswitch",
        mixinStandardHelpOptions = true,
        version = "killswitch 0.1.0",
        usageHelpAutoWidth = true,
        description = {
            "Keeps a fleet of Linux VPN gateways behind a WireGuard kill switch: nothing leaves a gateway unless it is inside the tunnel, and no change ever cuts the operator's SSH.",
            "",
            "Reads an Ansible inventory and a playbook, renders each host's firewall, and rolls it out over SSH in batches. On each host the agent plans the change, proves every step keeps SSH and opens no leak, applies it atomically and waits for a confirmation over a fresh SSH connection; a host that is not confirmed rolls itself back."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  killswitch plan  -i inventory/hosts.yml playbooks/killswitch.yml -o review.plan",
            "  killswitch apply review.plan",
            "  killswitch apply -i inventory/hosts.yml playbooks/killswitch.yml --limit 'gateways:!canary'",
            "  killswitch drift -i inventory/hosts.yml playbooks/killswitch.yml --once",
            "  killswitch history --host gw1 --since 7d",
            "  killswitch report --html fleet.html --since 7d",
            "  killswitch lab up --hosts 5",
            "",
            "Exit status: 0 success; 2 changes pending (plan); 1 failure (a message says why).",
            "",
            FleetOptions.PASSPHRASE_HELP})
public final class KillswitchMain {
    /** The subcommands, in help order. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(PlanCommand.class, ApplyCommand.class,
            DriftCommand.class, HistoryCommand.class, ReportCommand.class, LabCommand.class,
            CommandLine.HelpCommand.class);

    private KillswitchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(KillswitchMain.class);
        Subcommands.add(cl, SUBCOMMANDS, args);
        // `-e @vars.yml` is an extra vars file, as in Ansible; picocli would expand it as an argument file
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("killswitch: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for more information.");
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("killswitch: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        });
        return cl.execute(args);
    }
}
