package dev.killswitch.agent.cli;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.guard.Guard;
import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.guard.SshContext;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.DesiredCompiler;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Planner;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.report.Reports;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.SaveParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Runs the whole plan pipeline once on built-in samples, touching nothing on the host, so that
 * {@code java -XX:ArchiveClassesAtExit=agent.jsa -jar agent.jar warmup} records the classes a real
 * run loads (AppCDS): later runs start from that archive.
 */
@Command(name = "warmup", hidden = true, description = "Exercise the pipeline on samples (for a class-data archive).")
final class WarmupCommand extends Invocation.Invoked implements Callable<Integer> {

    @Override
    public Integer call() throws IOException {
        DesiredState state = DesiredStateReader.read("warmup/desired.yaml", resource("desired.yaml"));
        Desired desired = DesiredCompiler.compile(state, new BuiltinCanonicalizer());
        String save = resource("live.rules");
        LiveState live = new LiveState("nf_tables", Map.of(Family.IPV4, SaveParser.parseObserved(save, Family.IPV4)),
                Map.of(Family.IPV4, save), Map.of(), Map.of());
        List<Check> checks = Guard.checks(state.guards(), new SshContext("203.0.113.2", 50022, "203.0.113.11", 22,
                "eth0", "eth0", Map.of()));
        Plan plan = Planner.plan(desired, live, Guard.protects(checks));
        GuardReport guard = Guard.check(plan, live.rulesets(), desired.rulesets(), checks);
        var report = Reports.of("plan", state.host(), "nf_tables", true, plan, guard, false, Map.of(), List.of(), null);
        int size = Json.MAPPER.writeValueAsString(report).length() + Reports.human(report).length();
        io.out().println("warmed up: " + plan.steps().size() + " steps, " + size + " bytes of report");
        return 0;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WarmupCommand.class.getResourceAsStream("/warmup/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
