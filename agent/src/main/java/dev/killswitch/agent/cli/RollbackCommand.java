package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.Applier;
import dev.killswitch.agent.apply.Backup;
import dev.killswitch.agent.apply.WatchdogLauncher;
import dev.killswitch.agent.observe.Sysctls;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code rollback}: back to the rules from before the last apply, now. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        header = "Restore the rules from before the last apply, now.",
        description = {
            "Restore the owned tables and sysctls saved before the last apply, at once, and cancel a pending confirmation. Foreign chains are left as they are."})
final class RollbackCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;

    @Override
    public Integer call() throws Exception {
        host.requireNetnsWhenAsked();
        Applier a = new Applier(HostOptions.RUNNER, Sysctls.proc(), host.stateDir(), WatchdogLauncher.detached(),
                Clock.systemUTC());
        Backup b = a.rollback();
        host.out().println("rolled back to the state of " + b.created() + " (" + b.fingerprint() + ")");
        return 0;
    }
}
