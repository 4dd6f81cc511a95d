package dev.killswitch.bench;

import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.plan.Desired;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Planner;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawChain;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.RawTable;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The agent's work for one plan: parse the live iptables-save text, canonicalise the desired rules
 * (written in operators' spellings), diff and plan. 1% of the desired rules differ from the live ones.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlanBenchmark {
    @Param({"1000", "10000", "100000"})
    public int rules;

    /** {@link Rulesets}' shape: gateway (user chains of 1000 rules) or flat (all in INPUT). */
    @Param({"gateway"})
    public String shape;

    String save;
    RawRuleset desired;
    Ownership ownership;

    @Setup
    public void setup() {
        save = Rulesets.canonical(rules, shape);
        Map<String, List<RawRule>> chains = new LinkedHashMap<>();
        int i = 0;
        int accepts = 0;
        for (String line : Rulesets.spelled(rules, shape)) {
            String[] w = line.split(" ", 3);
            String args = w[2];
            i++;
            // drift: every 75th ACCEPT rule (3 rules in 4 accept) becomes DROP, 1 % of all rules at every size
            if (args.endsWith("-j ACCEPT") && accepts++ % 75 == 7) {
                args = args.replace("-j ACCEPT", "-j DROP");
            }
            chains.computeIfAbsent(w[1], k -> new ArrayList<>()).add(new RawRule(args, new Origin("bench", i, "")));
        }
        Map<String, RawChain> raw = new LinkedHashMap<>();
        for (String b : List.of("INPUT", "FORWARD", "OUTPUT")) {
            raw.put(b, new RawChain(b, "DROP", chains.getOrDefault(b, List.of()), null));
        }
        chains.forEach((name, list) -> raw.putIfAbsent(name, new RawChain(name, null, list, null)));
        desired = new RawRuleset(Family.IPV4, Map.of("filter", new RawTable("filter", raw)));
        ownership = new Ownership(Map.of(Family.IPV4, Map.of("filter", List.of())));
    }

    @Benchmark
    public Plan parseCanonicaliseDiffPlan() {
        return plan(live(), want());
    }

    /** The live rules, parsed from the dump as the agent's observer does (table digests hashed meanwhile). */
    Ruleset live() {
        return SaveParser.parseObserved(save, Family.IPV4);
    }

    /** The desired rules, canonicalised. */
    Ruleset want() {
        return new BuiltinCanonicalizer().canonicalize(desired);
    }

    Plan plan(Ruleset live, Ruleset want) {
        LiveState state = new LiveState("nf_tables", Map.of(Family.IPV4, live), Map.of(Family.IPV4, save), Map.of(),
                Map.of());
        Desired d = new Desired(Map.of(Family.IPV4, want), Map.of(), ownership, List.of(), null, Map.of());
        return Planner.plan(d, state, Planner.Protects.NOTHING);
    }
}
