package dev.killswitch.agent.cli;

import dev.killswitch.agent.apply.Applier;
import dev.killswitch.agent.apply.Pending;
import dev.killswitch.agent.apply.Refused;
import dev.killswitch.agent.apply.WatchdogLauncher;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.observe.Sysctls;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.report.Report;
import dev.killswitch.agent.report.Reports;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code apply}: plan, guard, apply atomically, verify, persist or await confirmation. */
@Command(name = "apply", mixinStandardHelpOptions = true,
        header = "Plan, prove, apply atomically, verify and persist (optionally commit-confirmed).", sortOptions = false,
        description = {
            "Bring the host to the desired state: plan, prove every step safe, apply with one iptables-restore --noflush transaction per family, re-read and verify, then persist. A failed apply leaves the host as it was. With --confirm-timeout the apply is commit-confirmed: a detached watchdog restores the previous rules after SECONDS unless 'confirm' runs first."})
final class ApplyCommand implements Callable<Integer> {
    @Mixin
    DesiredInput input;
    @Mixin
    Output output;
    @Mixin
    HostOptions host;
    @Mixin
    ServeCommand.Start resident;
    @Option(names = "--confirm-timeout", paramLabel = "SECONDS",
            description = "Roll back automatically after SECONDS unless 'killswitch-agent confirm' runs. "
                    + "Persistence waits for the confirmation.")
    Integer confirmTimeout;
    @Option(names = "--force", description = "Apply even when the guard finds a step that drops SSH or opens a leak.")
    boolean force;
    @Option(names = "--expect-fingerprint", paramLabel = "HASH",
            description = "Refuse (\"plan is stale\") unless the live state still has this fingerprint, as "
                    + "printed by plan.")
    String expectFingerprint;
    @Option(names = "--await-confirm",
            description = "With --confirm-timeout and --json: print the report on one line, then wait in this process "
                    + "for the confirmation token (the file confirm-ID in the state dir, which the controller writes "
                    + "over a fresh SSH connection), confirm, and print 'confirmed ID'. Without a token by the "
                    + "deadline: exit 1, and the watchdog rolls back.")
    boolean awaitConfirm;

    @Override
    public Integer call() {
        String hostname = HostOptions.hostname();
        try {
            if (confirmTimeout != null && confirmTimeout < 1) {
                throw new IllegalArgumentException("--confirm-timeout must be at least 1 second");
            }
            if (awaitConfirm && (confirmTimeout == null || !output.json)) {
                throw new IllegalArgumentException("--await-confirm needs --confirm-timeout and --json");
            }
            output.oneLine = awaitConfirm;
            long t0 = System.nanoTime();
            resident.startFor(host.stateDir);
            DesiredState state = input.read();
            Desired desired = DesiredCompiler.compile(state, input.canonicalizer(HostOptions.RUNNER));
            long readMs = (System.nanoTime() - t0) / 1_000_000;
            host.requireNetnsWhenAsked();
            Sysctls sysctls = Sysctls.proc();
            List<Check> checks = PlanCommand.checks(state, input.facts(), host.sshConnection());
            Applier applier = new Applier(HostOptions.RUNNER, sysctls, host.stateDir(), WatchdogLauncher.detached(),
                    Clock.systemUTC());
            Applier.Outcome o;
            try {
                o = applier.apply(desired, checks, new Applier.Options(force, expectFingerprint, confirmTimeout));
            } catch (Refused r) {
                Report partial = Reports.of("apply", name(state, hostname), null, false, r.plan(), r.guard(), false,
                        Map.of(), List.of(), null);
                return output.fail("apply", hostname, r, partial);
            }
            // as plan's: reading the desired state first, the total over the whole command
            Map<String, Long> timings = new LinkedHashMap<>();
            timings.put("readMs", readMs);
            timings.putAll(o.timings());
            timings.put("totalMs", (System.nanoTime() - t0) / 1_000_000);
            output.print(Reports.of("apply", name(state, hostname), null, o.changed(), o.plan(), o.guard(), force,
                    timings, List.of(), o.pending()));
            if (awaitConfirm && o.pending() != null) {
                return confirmOnToken(applier, o.pending(), output);
            }
            return 0;
        } catch (Exception e) {
            return output.fail("apply", hostname, e, null);
        }
    }

    private static int confirmOnToken(Applier applier, Pending pending, Output output) throws Exception {
        Pending kept = applier.confirmOnToken(pending.id());
        if (kept == null) {
            output.err().println("killswitch-agent apply: not confirmed by the deadline: the watchdog rolls back");
            return 1;
        }
        output.out().println("confirmed " + kept.id());
        output.out().flush();
        return 0;
    }

    private static String name(DesiredState s, String hostname) {
        return s.host() != null ? s.host() : hostname;
    }
}
