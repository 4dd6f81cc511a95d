package dev.killswitch.agent.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of killswitch-agent: one process per command, JSON on stdout with --json. */
@Command(name = "killswitch-agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Keeps this gateway's firewall at its desired state: reads the live iptables and ip6tables rules, compares them with the desired state in kernel-canonical form, builds a plan in fixed phases, proves with a packet simulator that no step drops the live SSH session or opens a leak, and applies it atomically with one iptables-restore --noflush transaction per family."},
        footerHeading = "%nExit status:%n",
        footer = {
            "  0  nothing to do, or applied",
            "  1  error, refused by the guard, stale plan or lock held (always with a message on stderr)",
            "  2  plan only: changes are pending",
            "",
            "The desired state format and the JSON report are documented in docs/desired-state.md and",
            "docs/agent-report.md."})
public final class AgentMain {

    /** The subcommands, in help order. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(
            FactsCommand.class,
            ImportCommand.class,
            PlanCommand.class,
            ApplyCommand.class,
            ConfirmCommand.class,
            RollbackCommand.class,
            WatchdogCommand.class,
            WarmupCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class);

    private AgentMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (tests call this directly). */
    public static int run(String... args) {
        return run(Invocation.system(), args);
    }

    /** Runs a command line with these streams and environment (the resident agent's requests). */
    public static int run(Invocation io, String... args) {
        CommandLine cl = new CommandLine(AgentMain.class, new Factory(io));
        cl.setOut(new java.io.PrintWriter(io.out(), true));
        cl.setErr(new java.io.PrintWriter(io.err(), true));
        Subcommands.add(cl, SUBCOMMANDS, args);
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("killswitch-agent: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for more information.");
            return 1;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("killswitch-agent: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        });
        return cl.execute(args);
    }

    /** Hands each command and option group the invocation it runs in. */
    private record Factory(Invocation io) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K made = CommandLine.defaultFactory().create(cls);
            if (made instanceof Invocation.Invoked invoked) {
                invoked.use(io);
            }
            return made;
        }
    }

    /** The version from the jar manifest, when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentMain.class.getPackage().getImplementationVersion();
            return new String[] {"killswitch-agent " + (v == null ? "dev" : v)};
        }
    }
}
