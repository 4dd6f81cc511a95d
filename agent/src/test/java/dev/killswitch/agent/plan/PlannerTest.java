package dev.killswitch.agent.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.guard.Guard;
import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.guard.SshContext;
import dev.killswitch.agent.observe.LiveState;
import dev.killswitch.agent.rules.BuiltinCanonicalizer;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import dev.killswitch.agent.rules.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planner is a pure function: these tests replay its steps on a model and check where they lead. */
class PlannerTest {

    static final String HEAD = "apiVersion: killswitch/v1\nkind: DesiredState\nhost: t\n";

    static Desired desired(String body) {
        DesiredState s = DesiredStateReader.read("t.yaml", HEAD + body);
        return DesiredCompiler.compile(s, new BuiltinCanonicalizer());
    }

    static LiveState live(String save) {
        return new LiveState("nf_tables", Map.of(Family.IPV4, SaveParser.parseCanonical(save, Family.IPV4)),
                Map.of(Family.IPV4, save), Map.of(), Map.of());
    }

    /** Applies the ruleset steps to the live filter table, as iptables-restore would. */
    static Map<String, List<String>> replay(Plan plan, LiveState live) {
        Map<String, List<String>> chains = new LinkedHashMap<>();
        Table t = live.ruleset(Family.IPV4).table("filter");
        if (t != null) {
            for (Chain c : t.chains().values()) {
                List<String> l = new ArrayList<>();
                c.rules().forEach(r -> l.add(r.text()));
                chains.put(c.name(), l);
            }
        }
        for (Step.RulesetStep s : plan.rulesetSteps()) {
            for (Step.RulesetStep p : s instanceof Step.Lockdown l ? l.parts() : List.of(s)) {
                if (p instanceof Step.CreateChain c) {
                    assertFalse(chains.containsKey(c.chain()), "created once");
                    chains.put(c.chain(), new ArrayList<>());
                } else if (p instanceof Step.InsertRule i) {
                    List<String> l = chains.computeIfAbsent(i.chain(), k -> new ArrayList<>());
                    if (i.rule().target() != null && !i.rule().target().isVerdict()
                            && i.rule().target().name().equals(i.rule().target().name().toLowerCase())) {
                        assertTrue(chains.containsKey(i.rule().target().name()), "jump target exists: " + i);
                    }
                    assertEquals(i.append(), i.position() == l.size() + 1, "append flag: " + i);
                    l.add(i.position() - 1, i.rule().text());
                } else if (p instanceof Step.DeleteRule d) {
                    assertEquals(d.rule().text(), chains.get(d.chain()).remove(d.position() - 1), "deletes its rule");
                } else if (p instanceof Step.FlushChain f) {
                    chains.get(f.chain()).clear();
                } else if (p instanceof Step.DeleteChain d) {
                    chains.remove(d.chain());
                }
            }
        }
        return chains;
    }

    @Test
    void editsInPlaceKeepingForeignRulesWhereTheyAre() {
        LiveState live = live("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A FORWARD -p tcp -m tcp --dport 80 -j ACCEPT\n"
                + "-A FORWARD -p tcp -m tcp --dport 23 -j ACCEPT\n-A DOCKER-USER -j RETURN\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    chains:\n      FORWARD: [-p tcp --dport 22 -j ACCEPT, "
                + "-p tcp --dport 80 -j ACCEPT]\n    ignore: [DOCKER*]\n");
        Plan plan = Planner.plan(d, live, Planner.Protects.NOTHING);
        Map<String, List<String>> after = replay(plan, live);
        assertEquals(List.of("-j DOCKER-USER", "-p tcp -m tcp --dport 22 -j ACCEPT", "-p tcp -m tcp --dport 80 -j ACCEPT"),
                after.get("FORWARD"));
        assertEquals(List.of("-j RETURN"), after.get("DOCKER-USER"), "foreign chain untouched");
        assertEquals(2, plan.foreign().size(), "the foreign chain and the foreign jump are reported");
        assertTrue(plan.steps().stream().noneMatch(s -> s instanceof Step.FlushChain), "nothing is flushed");
    }

    @Test
    void aChainWhoseRulesAllChangeIsRewrittenWithoutADiffSearch() {
        // same prefix and suffix, a middle with nothing in common: one change, inserts before deletions
        LiveState live = live("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 1 -j ACCEPT\n"
                + "-A INPUT -p tcp -m tcp --dport 2 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 3 -j ACCEPT\n"
                + "-A INPUT -j DROP\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    chains:\n      INPUT: [-i lo -j ACCEPT, -p udp --dport 1 -j ACCEPT, "
                + "-p udp --dport 2 -j ACCEPT, -j DROP]\n");
        Plan plan = Planner.plan(d, live, Planner.Protects.NOTHING);
        assertEquals(List.of("-i lo -j ACCEPT", "-p udp -m udp --dport 1 -j ACCEPT", "-p udp -m udp --dport 2 -j ACCEPT",
                "-j DROP"), replay(plan, live).get("INPUT"));
        assertEquals(2, plan.steps().stream().filter(s -> s instanceof Step.InsertRule).count(), plan.steps().toString());
        assertEquals(3, plan.steps().stream().filter(s -> s instanceof Step.DeleteRule).count(), plan.steps().toString());
    }

    @Test
    void deletionsComeLastAndChainsAreCreatedBeforeJumps() {
        LiveState live = live("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":old - [0:0]\n-A INPUT -j old\n-A old -j RETURN\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    chains:\n      INPUT: [-j ssh-in]\n      ssh-in: [-p tcp --dport 22 -j ACCEPT]\n");
        Plan plan = Planner.plan(d, live, Planner.Protects.NOTHING);
        List<Phase> phases = plan.steps().stream().map(Step::phase).toList();
        List<Phase> sorted = new ArrayList<>(phases);
        sorted.sort(null);
        assertEquals(sorted, phases, "phases in fixed order");
        int firstDelete = -1;
        int lastInsert = -1;
        for (int i = 0; i < plan.steps().size(); i++) {
            Step s = plan.steps().get(i);
            if (s instanceof Step.InsertRule) {
                lastInsert = i;
            }
            if ((s instanceof Step.DeleteRule || s instanceof Step.DeleteChain) && firstDelete < 0) {
                firstDelete = i;
            }
        }
        assertTrue(lastInsert < firstDelete, "deletions last: " + plan.steps());
        Map<String, List<String>> after = replay(plan, live);
        assertEquals(List.of("-j ssh-in"), after.get("INPUT"));
        assertFalse(after.containsKey("old"));
    }

    @Test
    void aConvergedHostHasAnEmptyPlanWhateverTheSpelling() {
        LiveState live = live("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
                + "-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\n"
                + "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    policies: {INPUT: DROP, FORWARD: DROP, OUTPUT: DROP}\n    chains:\n"
                + "      INPUT:\n        - --protocol TCP --source 10.0.0.1 --dport ssh -j ACCEPT\n"
                + "        - -m conntrack --ctstate established,related -j ACCEPT\n");
        assertTrue(Planner.plan(d, live, Planner.Protects.NOTHING).empty());
    }

    @Test
    void theFingerprintFollowsTheOwnedLiveState() {
        Desired d = desired("ipv4:\n  filter:\n    chains: {INPUT: [-j ACCEPT]}\n");
        String a = Planner.plan(d, live("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"), Planner.Protects.NOTHING).fingerprint();
        String b = Planner.plan(d, live("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"), Planner.Protects.NOTHING).fingerprint();
        String c = Planner.plan(d, live("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n"),
                Planner.Protects.NOTHING).fingerprint();
        String other = Planner.plan(d, live("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n"
                + "-A PREROUTING -j RETURN\nCOMMIT\n"), Planner.Protects.NOTHING).fingerprint();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertEquals(a, other, "tables we do not own do not make a plan stale");
    }

    @Test
    void closingAnOpenHostLocksDownFirstAndKeepsSshAtEveryStep() {
        LiveState live = live("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    policies: {INPUT: DROP, FORWARD: DROP, OUTPUT: DROP}\n    chains:\n"
                + "      INPUT: [-i lo -j ACCEPT, -i eth0 -p tcp --dport 22 -j ACCEPT]\n"
                + "      OUTPUT: [-o lo -j ACCEPT, -o eth0 -p tcp --sport 22 -m conntrack --ctstate ESTABLISHED -j ACCEPT,"
                + " -o wg0 -j ACCEPT]\n"
                + "guards:\n  expect:\n    - deny: {family: ipv4, chain: OUTPUT, out: eth0, proto: udp, dst: 192.0.2.53, dport: 53}\n");
        DesiredState s = DesiredStateReader.read("t.yaml", HEAD + "ipv4: {filter: {}}\nguards:\n  expect:\n"
                + "    - deny: {family: ipv4, chain: OUTPUT, out: eth0, proto: udp, dst: 192.0.2.53, dport: 53}\n");
        List<Check> checks = Guard.checks(s.guards(), new SshContext("203.0.113.2", 50000, "203.0.113.11", 22, "eth0",
                "eth0", Map.of()));
        Plan plan = Planner.plan(d, live, Guard.protects(checks));
        assertTrue(plan.steps().get(0) instanceof Step.Lockdown, "step 1 is the lock-down: " + plan.steps().get(0));
        GuardReport g = Guard.check(plan, live.rulesets(), checks);
        assertTrue(g.passed(), g.failures().toString());
        for (GuardReport.StepResult r : g.steps()) {
            for (GuardReport.Result v : r.results()) {
                assertTrue(v.ok(), "after step " + (r.step() + 1) + ": " + v);
            }
        }
    }

    @Test
    void presenceCountsTheSlotsBeforeAnyOneAsItChanges() {
        java.util.Random random = new java.util.Random(3);
        for (int n : new int[] {0, 1, 2, 7, 64, 1000}) {
            boolean[] on = new boolean[n];
            for (int i = 0; i < n; i++) {
                on[i] = random.nextBoolean();
            }
            boolean[] model = on.clone();
            Planner.Presence p = new Planner.Presence(on);
            for (int step = 0; step < 3 * n + 1; step++) {
                int count = 0;
                for (int i = 0; i < n; i++) {
                    assertEquals(count, p.before(i), "n=" + n + " slot " + i);
                    count += model[i] ? 1 : 0;
                }
                assertEquals(count, p.total());
                if (n > 0) {
                    int i = random.nextInt(n);
                    if (random.nextBoolean()) {
                        p.set(i);
                        model[i] = true;
                    } else {
                        p.clear(i);
                        model[i] = false;
                    }
                }
            }
        }
    }

    @Test
    void theGuardReadsLiveRulesThroughTheirWantedTwinsWithTheSameVerdicts() {
        // live rules are parsed on first use; the guard reads the ones a wanted rule equals through that rule instead
        LiveState live = live("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n:svc - [0:0]\n"
                + "-A INPUT -i lo -j ACCEPT\n-A INPUT -i eth0 -j svc\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
                + "-A OUTPUT -o wg0 -j ACCEPT\n-A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT\n"
                + "-A svc -s 10.0.0.1/32 -j ACCEPT\n-A svc -p tcp -m tcp --dport 22 -j DROP\n-A svc -s 10.0.0.3/32 -j ACCEPT\n"
                + "COMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    policies: {INPUT: DROP, FORWARD: DROP, OUTPUT: DROP}\n    chains:\n"
                + "      INPUT: [-i lo -j ACCEPT, -i eth0 -j svc, -p tcp --dport 22 -j ACCEPT]\n"
                + "      OUTPUT: [-o wg0 -j ACCEPT, -p tcp --sport 22 -j ACCEPT]\n"
                + "      svc: [-s 10.0.0.1 -j ACCEPT, -s 10.0.0.2 -j ACCEPT, -p tcp --dport 22 -j REJECT,"
                + " -s 10.0.0.3 -j ACCEPT]\n");
        List<Check> checks = Guard.checks(null, new SshContext("203.0.113.2", 50000, "203.0.113.11", 22, "eth0",
                "eth0", Map.of()));
        Plan plan = Planner.plan(d, live, Guard.protects(checks));
        GuardReport plain = Guard.check(plan, live("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
                + ":svc - [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -i eth0 -j svc\n"
                + "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A OUTPUT -o wg0 -j ACCEPT\n"
                + "-A OUTPUT -p tcp -m tcp --sport 22 -j ACCEPT\n-A svc -s 10.0.0.1/32 -j ACCEPT\n"
                + "-A svc -p tcp -m tcp --dport 22 -j DROP\n-A svc -s 10.0.0.3/32 -j ACCEPT\nCOMMIT\n").rulesets(), checks);
        GuardReport twins = Guard.check(plan, live.rulesets(), d.rulesets(), checks);
        assertFalse(plain.passed(), "svc drops SSH from eth0 before the plan replaces that rule");
        assertEquals(plain.failures(), twins.failures());
        assertEquals(plain.initial(), twins.initial());
        assertEquals(plain.steps(), twins.steps());
    }

    @Test
    void aPlanThatDropsSshIsRefusedNamingTheStepAndTheRule() {
        LiveState live = live("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        Desired d = desired("ipv4:\n  filter:\n    policies: {INPUT: DROP}\n    chains: {INPUT: [-i lo -j ACCEPT]}\n");
        List<Check> checks = Guard.checks(null, new SshContext("203.0.113.2", 50000, "203.0.113.11", 22, "eth0",
                "eth0", Map.of()));
        Plan plan = Planner.plan(d, live, Guard.protects(checks));
        GuardReport g = Guard.check(plan, live.rulesets(), checks);
        assertFalse(g.passed());
        assertTrue(g.failures().get(0).contains("would drop SSH"), g.failures().toString());
        assertTrue(g.failures().get(0).contains("policy of INPUT (DROP)"), g.failures().toString());
    }

    @Test
    void largeChainsArePlannedByPositionWithoutQuadraticWork() {
        StringBuilder save = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        StringBuilder yaml = new StringBuilder("ipv4:\n  filter:\n    chains:\n      INPUT:\n");
        for (int i = 0; i < 5000; i++) {
            save.append("-A INPUT -s 10.0.").append(i / 250).append('.').append(i % 250).append("/32 -j ACCEPT\n");
            if (i % 50 != 3) {
                yaml.append("        - -s 10.0.").append(i / 250).append('.').append(i % 250).append(" -j ACCEPT\n");
            }
            if (i % 70 == 5) {
                yaml.append("        - -s 10.1.").append(i / 250).append('.').append(i % 250).append(" -j DROP\n");
            }
        }
        save.append("COMMIT\n");
        LiveState live = live(save.toString());
        Desired d = desired(yaml.toString());
        Plan plan = Planner.plan(d, live, Planner.Protects.NOTHING);
        List<String> want = new ArrayList<>();
        for (Rule r : d.rulesets().get(Family.IPV4).table("filter").chain("INPUT").rules()) {
            want.add(r.text());
        }
        assertEquals(want, replay(plan, live).get("INPUT"));
        assertEquals(100 + 72, plan.rulesetSteps().size(), "only the differences become steps");
    }

    @Test
    void aLargeTableIsPlannedChainByChainOnEveryCoreAsInOrder() {
        // above Planner.PARALLEL_FROM and Fingerprint.CONCURRENT_FROM: chains are diffed and the state hashed meanwhile
        StringBuilder save = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":DOCKER - [0:0]\n:old - [0:0]\n");
        StringBuilder yaml = new StringBuilder("ipv4:\n  filter:\n    ignore: [DOCKER*]\n    chains:\n      INPUT:\n");
        for (int c = 0; c < 6; c++) {
            if (c < 5) {
                save.append(":svc").append(c).append(" - [0:0]\n-A INPUT -j svc").append(c).append('\n');
            }
            yaml.append("        - -j svc").append(c).append('\n');
        }
        save.append("-A INPUT -j DOCKER\n-A DOCKER -j RETURN\n-A old -j DROP\n");
        for (int c = 0; c < 6; c++) {
            yaml.append("      svc").append(c).append(":\n");
            for (int i = 0; i < 1200; i++) {
                String rule = "-s 10." + c + "." + (i / 250) + "." + (i % 250);
                if (c < 5) {
                    save.append("-A svc").append(c).append(' ').append(rule).append("/32 -j ACCEPT\n");
                }
                yaml.append("        - ").append(rule).append(i % 97 == c ? " -j DROP\n" : " -j ACCEPT\n");
            }
        }
        save.append("COMMIT\n");
        LiveState live = live(save.toString());
        Desired d = desired(yaml.toString());
        Plan plan = Planner.plan(d, live, Planner.Protects.NOTHING);
        Map<String, List<String>> after = replay(plan, live);
        for (Chain c : d.rulesets().get(Family.IPV4).table("filter").chains().values()) {
            List<String> want = new ArrayList<>();
            c.rules().forEach(r -> want.add(r.text()));
            if (c.name().equals("INPUT")) {
                want.add(5, "-j DOCKER"); // foreign: stays glued to the live rule before it
            }
            assertEquals(want, after.get(c.name()), c.name());
        }
        assertEquals(List.of("-j RETURN"), after.get("DOCKER"), "a foreign chain is left alone");
        assertFalse(after.containsKey("old"), "our chain no longer wanted is deleted");
        assertEquals(Fingerprint.of(live, d.ownership(), List.of()), plan.fingerprint());
    }
}
