package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.Applier;
import dev.killswitch.agent.apply.Pending;
import dev.killswitch.agent.apply.WatchdogLauncher;
import dev.killswitch.agent.observe.Sysctls;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code confirm}: keep the pending apply. */
@Command(name = "confirm", mixinStandardHelpOptions = true,
        header = "Keep a commit-confirmed apply.",
        description = {
            "Keep a commit-confirmed apply: stop its watchdog and persist what it deferred. Run it over a fresh SSH connection, to prove SSH still works. Exit 1 if it came too late (with --id: also when that apply was already rolled back)."})
final class ConfirmCommand implements Callable<Integer> {
    @Mixin
    HostOptions host;
    @Option(names = "--id", paramLabel = "ID",
            description = "Confirm only this apply (the confirm.id apply reported); exit 1 if it is no longer "
                    + "pending, e.g. because the watchdog already rolled it back.")
    String id;

    @Override
    public Integer call() throws Exception {
        host.requireNetnsWhenAsked();
        Applier a = new Applier(HostOptions.RUNNER, Sysctls.proc(), host.stateDir(), WatchdogLauncher.detached(),
                Clock.systemUTC());
        Pending p = a.confirm(id);
        host.out().println(p == null ? "nothing to confirm" : "confirmed " + p.id());
        return 0;
    }
}
