package dev.killswitch.agent.guard;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Planner;
import dev.killswitch.agent.plan.Step;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.Table;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Proves a plan safe: replays it step by step on a model of the filter table and asks the
 * {@link Simulator} about every protected packet after each step.
 *
 * <p>A check that holds on the live host must hold after every step. A check that does not hold yet
 * (a host that is open before its first kill switch) must hold at the end and, once it holds, keep
 * holding: a plan may close a leak, never open one.
 */
public final class Guard {

    /** Above this many (filter steps x rules) the plan is checked at phase boundaries only. */
    static final long FINE_BUDGET = 30_000_000L;

    private Guard() {
    }

    /** The packets to protect: the live SSH flow, new SSH connections, and the desired state's invariants. */
    public static List<Check> checks(DesiredState.Guards guards, SshContext ssh) {
        List<Check> out = new ArrayList<>();
        List<Integer> ports = guards == null || guards.ssh() == null ? List.of(22) : guards.ssh().ports();
        if (ssh.live()) {
            Family f = familyOf(ssh.clientIp());
            out.add(new Check("ssh live flow in " + ssh.clientIp() + ":" + ssh.clientPort() + " -> "
                    + ssh.serverIp() + ":" + ssh.serverPort(), Check.Kind.SSH,
                    new Packet(f, "INPUT", ssh.inIface(), null, "tcp", ssh.clientIp(), ssh.serverIp(),
                            ssh.clientPort(), ssh.serverPort(), "ESTABLISHED"), null));
            out.add(new Check("ssh live flow out " + ssh.serverIp() + ":" + ssh.serverPort() + " -> "
                    + ssh.clientIp() + ":" + ssh.clientPort(), Check.Kind.SSH,
                    new Packet(f, "OUTPUT", null, ssh.outIface(), "tcp", ssh.serverIp(), ssh.clientIp(),
                            ssh.serverPort(), ssh.clientPort(), "ESTABLISHED"), null));
        }
        List<String> sources = new ArrayList<>();
        if (ssh.live()) {
            sources.add(ssh.clientIp());
        }
        if (guards != null && guards.ssh() != null && guards.ssh().from() != null) {
            for (String from : guards.ssh().from()) {
                String addr = from.contains("/") ? from.substring(0, from.indexOf('/')) : from;
                if (!sources.contains(addr)) {
                    sources.add(addr);
                }
            }
        }
        if (sources.isEmpty()) {
            sources.add(null);
        }
        for (String src : sources) {
            String iface = src == null ? null
                    : src.equals(ssh.clientIp()) ? ssh.inIface() : ssh.routeIfaces().get(src);
            String outIface = src == null ? null
                    : src.equals(ssh.clientIp()) ? ssh.outIface() : ssh.routeIfaces().get(src);
            Family f = src != null ? familyOf(src) : ssh.serverIp() != null ? familyOf(ssh.serverIp()) : Family.IPV4;
            String server = ssh.serverIp() != null && familyOf(ssh.serverIp()) == f ? ssh.serverIp() : null;
            String who = src == null ? "any source" : src;
            for (int port : ports) {
                out.add(new Check("ssh new connection from " + who + " to port " + port, Check.Kind.SSH,
                        new Packet(f, "INPUT", iface, null, "tcp", src, server, null, port, "NEW"), null));
                out.add(new Check("ssh reply from port " + port + " to " + who, Check.Kind.SSH,
                        new Packet(f, "OUTPUT", null, outIface, "tcp", server, src, port, null, "ESTABLISHED"), null));
            }
        }
        if (guards != null && guards.expect() != null) {
            int i = 0;
            for (DesiredState.Expectation e : guards.expect()) {
                String verb = e.allow() ? "allow" : "deny";
                String name = "expect[" + i++ + "] " + verb + " " + describe(e);
                out.add(new Check(name, e.allow() ? Check.Kind.ALLOW : Check.Kind.DENY,
                        new Packet(e.family(), e.chain(), e.in(), e.out(), e.proto(), e.src(), e.dst(), e.sport(),
                                e.dport(), e.state() == null ? "NEW" : e.state()), e.origin()));
            }
        }
        return out;
    }

    private static String describe(DesiredState.Expectation e) {
        StringBuilder sb = new StringBuilder(e.family().key()).append(' ').append(e.chain());
        if (e.in() != null) {
            sb.append(" in ").append(e.in());
        }
        if (e.out() != null) {
            sb.append(" out ").append(e.out());
        }
        if (e.proto() != null) {
            sb.append(' ').append(e.proto());
        }
        if (e.src() != null) {
            sb.append(" from ").append(e.src());
        }
        if (e.dst() != null) {
            sb.append(" to ").append(e.dst());
        }
        if (e.dport() != null) {
            sb.append(" port ").append(e.dport());
        }
        return sb.toString();
    }

    static Family familyOf(String addr) {
        return addr.indexOf(':') >= 0 ? Family.IPV6 : Family.IPV4;
    }

    /** New rules that may accept a protected packet go first, in the GUARD phase. */
    public static Planner.Protects protects(List<Check> checks) {
        return (family, table, chain, rule) -> {
            if (!"filter".equals(table) || rule.target() == null || !"ACCEPT".equals(rule.target().name())) {
                return false;
            }
            boolean builtin = Table.builtins("filter").contains(chain);
            for (Check c : checks) {
                if (c.kind() == Check.Kind.DENY || c.packet().family() != family) {
                    continue;
                }
                if ((!builtin || c.packet().chain().equals(chain)) && Simulator.mayMatch(rule, c.packet())) {
                    return true;
                }
            }
            return false;
        };
    }

    /** Checks every step of the plan against the live rulesets. */
    public static GuardReport check(Plan plan, Map<Family, Ruleset> live, List<Check> checks) {
        return check(plan, live, Map.of(), checks);
    }

    /**
     * Checks every step of the plan against the live rulesets; a live rule whose text a known wanted rule of the same
     * chain has, at the same place from either end, is read through that wanted rule, whose parts are already worked
     * out: the same text is the same rule, and a large host's live rules are otherwise each parsed for the guard alone.
     */
    public static GuardReport check(Plan plan, Map<Family, Ruleset> live, Map<Family, Ruleset> wanted,
                                    List<Check> checks) {
        Map<Family, Model> models = new EnumMap<>(Family.class);
        for (Family f : Family.values()) {
            Ruleset rs = live.get(f);
            Ruleset ws = wanted.get(f);
            models.put(f, new Model(rs == null ? null : rs.table("filter"), ws == null ? null : ws.table("filter")));
        }
        List<GuardReport.Result> initial = evaluate(models, checks);
        boolean[] held = new boolean[checks.size()];
        boolean[] reported = new boolean[checks.size()];
        for (int i = 0; i < held.length; i++) {
            held[i] = initial.get(i).ok();
        }
        List<Step> steps = plan.steps();
        long filterSteps = steps.stream().filter(Guard::touchesFilter).count();
        long rules = 0;
        for (Model m : models.values()) {
            rules += m.size();
        }
        boolean coarse = filterSteps * Math.max(1, rules + filterSteps) > FINE_BUDGET;

        List<GuardReport.StepResult> results = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<GuardReport.Result> current = initial;
        for (int k = 0; k < steps.size(); k++) {
            Step s = steps.get(k);
            boolean changed = touchesFilter(s);
            if (changed) {
                Step.RulesetStep rs = (Step.RulesetStep) s;
                models.get(rs.family()).apply(rs);
            }
            boolean boundary = k + 1 == steps.size() || steps.get(k + 1).phase() != s.phase();
            if (changed && (!coarse || boundary)) {
                current = evaluate(models, checks);
                for (int i = 0; i < checks.size(); i++) {
                    boolean ok = current.get(i).verdict() == checks.get(i).expected();
                    if (held[i] && !ok && !reported[i]) {
                        reported[i] = true;
                        failures.add("step " + (k + 1) + " (" + s.phase() + ": " + s.describe() + ") "
                                + breaks(checks.get(i)) + ": " + current.get(i).verdict() + ", decided by "
                                + current.get(i).decidedBy());
                    }
                    if (ok) {
                        held[i] = true;
                    }
                }
            }
            results.add(new GuardReport.StepResult(k, current));
        }
        if (!steps.isEmpty()) {
            for (int i = 0; i < checks.size(); i++) {
                GuardReport.Result r = current.get(i);
                if (r.verdict() != checks.get(i).expected() && !reported[i]) {
                    failures.add("after the plan, " + breaks(checks.get(i)) + ": " + r.verdict() + ", decided by "
                            + r.decidedBy());
                }
            }
        }
        return new GuardReport(checks, initial, results, failures, coarse);
    }

    private static String breaks(Check c) {
        return switch (c.kind()) {
            case SSH -> "would drop SSH (" + c.name() + ")";
            case ALLOW -> "would block " + c.name() + (c.origin() != null ? " [" + c.origin() + "]" : "");
            case DENY -> "would open a leak: " + c.name() + (c.origin() != null ? " [" + c.origin() + "]" : "");
        };
    }

    private static boolean touchesFilter(Step s) {
        return s instanceof Step.RulesetStep rs && "filter".equals(rs.table());
    }

    private static List<GuardReport.Result> evaluate(Map<Family, Model> models, List<Check> checks) {
        GuardReport.Result[] out = new GuardReport.Result[checks.size()];
        for (Family f : Family.values()) {
            List<Integer> idx = new ArrayList<>();
            List<Packet> packets = new ArrayList<>();
            for (int i = 0; i < checks.size(); i++) {
                if (checks.get(i).packet().family() == f) {
                    idx.add(i);
                    packets.add(checks.get(i).packet());
                }
            }
            if (packets.isEmpty()) {
                continue;
            }
            // one walk over the rules for all packets of the family
            List<Decision> ds = Simulator.evaluateAll(models.get(f).snapshot(f), packets);
            for (int k = 0; k < idx.size(); k++) {
                Check c = checks.get(idx.get(k));
                Decision d = ds.get(k);
                out[idx.get(k)] = new GuardReport.Result(c.name(), d.verdict(), d.verdict() == c.expected(),
                        d.decidedBy());
            }
        }
        return List.of(out);
    }

    /** A mutable filter table the guard replays steps on. */
    private static final class Model {
        private final Map<String, String> policies = new LinkedHashMap<>();
        private final Map<String, List<Rule>> chains = new LinkedHashMap<>();

        Model(Table filter, Table wanted) {
            for (String b : Table.builtins("filter")) {
                policies.put(b, "ACCEPT");
                chains.put(b, new ArrayList<>());
            }
            if (filter != null) {
                for (Chain c : filter.chains().values()) {
                    policies.put(c.name(), c.policy());
                    Chain w = wanted == null ? null : wanted.chain(c.name());
                    chains.put(c.name(), w == null ? new ArrayList<>(c.rules()) : twins(c.rules(), w.rules()));
                }
            }
        }

        /**
         * The live rules, where a known wanted rule at the same place from the start or from the end has the same text:
         * that wanted rule instead.
         */
        private static List<Rule> twins(List<Rule> live, List<Rule> wanted) {
            List<Rule> out = new ArrayList<>(live);
            int n = Math.min(live.size(), wanted.size());
            int pre = 0;
            for (; pre < n && twin(out, pre, wanted.get(pre)); pre++) {
                // the common start
            }
            for (int k = 1; k <= n - pre && twin(out, live.size() - k, wanted.get(wanted.size() - k)); k++) {
                // the common end
            }
            return out;
        }

        private static boolean twin(List<Rule> rules, int at, Rule wanted) {
            if (!rules.get(at).text().equals(wanted.text())) {
                return false;
            }
            if (wanted.known()) {
                rules.set(at, wanted);
            }
            return true;
        }

        int size() {
            int n = 0;
            for (List<Rule> l : chains.values()) {
                n += l.size();
            }
            return n;
        }

        void apply(Step.RulesetStep s) {
            if (s instanceof Step.Lockdown l) {
                l.parts().forEach(this::apply);
            } else if (s instanceof Step.CreateChain c) {
                chains.put(c.chain(), new ArrayList<>());
                policies.put(c.chain(), null);
            } else if (s instanceof Step.InsertRule i) {
                chains.get(i.chain()).add(i.position() - 1, i.rule());
            } else if (s instanceof Step.DeleteRule d) {
                Rule gone = chains.get(d.chain()).remove(d.position() - 1);
                if (!gone.text().equals(d.rule().text())) {
                    throw new IllegalStateException("plan out of step at " + d.describe() + ": found " + gone);
                }
            } else if (s instanceof Step.SetPolicy p) {
                policies.put(p.chain(), p.to());
            } else if (s instanceof Step.FlushChain fl) {
                chains.get(fl.chain()).clear();
            } else if (s instanceof Step.DeleteChain dc) {
                chains.remove(dc.chain());
                policies.remove(dc.chain());
            }
        }

        Ruleset snapshot(Family f) {
            Map<String, Chain> out = new LinkedHashMap<>();
            chains.forEach((name, rules) -> out.put(name, new Chain(name, policies.get(name), rules)));
            return Ruleset.empty(f).withTable(new Table("filter", out));
        }
    }
}
