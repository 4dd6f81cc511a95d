package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.Applier;
import dev.killswitch.agent.apply.WatchdogLauncher;
import dev.killswitch.agent.observe.Sysctls;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The detached watchdog of a commit-confirmed apply (started by apply, not by operators). */
@Command(name = "watchdog", mixinStandardHelpOptions = true,
        header = "Roll an unconfirmed apply back at its deadline (started by apply).", hidden = true,
        description = "Wait for the pending apply's deadline and roll it back unless it was confirmed.")
final class WatchdogCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;
    @Option(names = "--id", required = true)
    String id;

    @Override
    public Integer call() throws Exception {
        Applier a = new Applier(HostOptions.RUNNER, Sysctls.proc(), host.stateDir(), WatchdogLauncher.detached(),
                Clock.systemUTC());
        boolean rolledBack = a.watch(id);
        host.out().println(Instant.now() + " watchdog " + id + (rolledBack ? ": not confirmed, rolled back"
                : ": confirmed or cancelled, nothing to do"));
        return 0;
    }
}
