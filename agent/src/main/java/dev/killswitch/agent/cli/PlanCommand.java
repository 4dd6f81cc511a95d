package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.Applier;
import dev.killswitch.agent.apply.WatchdogLauncher;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.guard.Guard;
import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.observe.FactsReader;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.observe.Observer;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Planner;
import dev.killswitch.agent.report.Report;
import dev.killswitch.agent.report.Reports;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code plan}: what apply would do, read-only. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        header = "Show what apply would change, with the guard's verdict after each step.", sortOptions = false,
        description = {
            "Show what apply would change, step by step, with the guard's verdict after each step. Read-only: nothing on the host changes. Exit 0 when the host already matches, 2 when changes are pending, 1 on bad input or when the guard refuses the plan."})
final class PlanCommand implements Callable<Integer> {
    @Mixin
    DesiredInput input;
    @Mixin
    Output output;
    @Mixin
    HostOptions host;
    @Mixin
    ServeCommand.Start resident;
    @Option(names = "--force", description = "Report guard failures but do not fail the plan on them.")
    boolean force;

    @Override
    public Integer call() {
        Report partial = null;
        String hostname = HostOptions.hostname();
        try {
            Map<String, Long> timings = new LinkedHashMap<>();
            long t0 = System.nanoTime();
            resident.startFor(host.stateDir);
            DesiredState state = input.read();
            Applier applier = new Applier(HostOptions.RUNNER, Sysctls.proc(), null, WatchdogLauncher.detached(),
                    Clock.systemUTC());
            // reading the live state is read-only and waits on iptables-save: do it while the rules are canonicalised
            long[] observeMs = new long[1]; // written before the task completes, read after get()
            FutureTask<LiveState> observing = new FutureTask<>(() -> {
                long t1 = System.nanoTime();
                LiveState l = applier.observe(state);
                observeMs[0] = (System.nanoTime() - t1) / 1_000_000;
                return l;
            });
            Thread reader = new Thread(observing, "observe");
            reader.setDaemon(true);
            reader.start();
            Desired desired;
            List<Check> checks;
            try {
                desired = DesiredCompiler.compile(state, input.canonicalizer(HostOptions.RUNNER));
                timings.put("readMs", (System.nanoTime() - t0) / 1_000_000);
                checks = checks(state, input.facts(), host.sshConnection());
            } catch (Exception e) {
                observing.cancel(true);
                throw e;
            }
            LiveState live = Observer.result(observing);
            timings.put("observeMs", observeMs[0]);
            long t2 = System.nanoTime();
            Plan plan = Planner.plan(desired, live, Guard.protects(checks));
            timings.put("planMs", (System.nanoTime() - t2) / 1_000_000);
            long t3 = System.nanoTime();
            GuardReport guard = Guard.check(plan, live.rulesets(), desired.rulesets(), checks);
            timings.put("guardMs", (System.nanoTime() - t3) / 1_000_000);
            timings.put("totalMs", (System.nanoTime() - t0) / 1_000_000);
            Report r = Reports.of("plan", state.host() != null ? state.host() : hostname, live.backend(),
                    !plan.empty(), plan, guard, force, timings, List.of(), null);
            if (!guard.passed() && !force) {
                partial = r;
                throw new IllegalStateException("refused: " + String.join("; ", guard.failures())
                        + " (use --force to override)");
            }
            output.print(r);
            return plan.empty() ? 0 : 2;
        } catch (Exception e) {
            return output.fail("plan", hostname, e, partial);
        }
    }

    /** The guard's checks: SSH (from SSH_CONNECTION and guards.ssh) and guards.expect. */
    static List<Check> checks(DesiredState state, FactsReader facts, String sshConnection) throws java.io.IOException {
        List<String> from = state.guards() != null && state.guards().ssh() != null
                && state.guards().ssh().from() != null ? state.guards().ssh().from() : List.of();
        return Guard.checks(state.guards(), facts.ssh(sshConnection, from));
    }
}
