package dev.killswitch.agent.guard;

import dev.killswitch.agent.guard.Outcomes.Site;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.Table;
import dev.killswitch.agent.rules.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offers a packet to the filter table of a ruleset and says what iptables would do with it, in
 * three-valued logic (after Diekmann's Iptables_Semantics): a rule whose match cannot be decided
 * leads down both branches, and the verdict is UNKNOWN only when the branches end differently.
 * A target that is not ACCEPT, DROP, REJECT, RETURN, a user chain or a known continuing target
 * (NFQUEUE, say) ends the walk undecided. Each chain is walked once per packet, so the cost is linear
 * in the number of rules.
 */
public final class Simulator {

    /** Targets that do something to the packet, or nothing, and let it continue to the next rule. */
    private static final Set<String> CONTINUING = Set.of(
            "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "CONNSECMARK", "SECMARK", "CLASSIFY", "AUDIT",
            "SET", "TCPMSS", "TRACE", "DSCP", "TOS", "TTL", "HL", "ECN", "CHECKSUM", "IDLETIMER", "LED",
            "TEE", "CT", "NOTRACK");

    private static final String FILTER = "filter";
    private static final List<String> BUILTINS = Table.builtins(FILTER);

    // what a rule's target does, with the jump and goto to user chains apart
    private static final int CONTINUE = 0;
    private static final int END = 1;
    private static final int JUMP = 2;
    private static final int GOTO = 3;

    private Simulator() {
    }

    /** What the filter table does with the packet in the built-in chain {@code p.chain()}. */
    /** True when the rule's matches may match the packet (TRUE or UNKNOWN), whatever its target. */
    public static boolean mayMatch(dev.killswitch.agent.rules.Rule rule, Packet p) {
        return Conditions.test(rule, Probe.of(p)) != Ternary.FALSE;
    }

    public static Decision evaluate(Ruleset rs, Packet p) {
        return evaluateAll(rs, List.of(p)).get(0);
    }

    /**
     * {@link #evaluate} for each packet, in order. The packets walk long chains together, a block of
     * rules at a time, so each rule is fetched from memory once for all of them.
     */
    public static List<Decision> evaluateAll(Ruleset rs, List<Packet> packets) {
        Decision[] decisions = new Decision[packets.size()];
        Walk.Pass[] passes = new Walk.Pass[packets.size()];
        Outcomes[] policies = new Outcomes[packets.size()];
        int longest = 0;
        for (int k = 0; k < decisions.length; k++) {
            Packet p = packets.get(k);
            Chain chain = builtin(rs, p);
            if (chain == null) {
                decisions[k] = kernelDefault(rs, p);
                continue;
            }
            Walk walk = new Walk(rs.table(FILTER), Probe.of(p));
            passes[k] = walk.new Pass(chain);
            policies[k] = policy(chain);
            longest = Math.max(longest, chain.rules().size());
        }
        for (int from = 0; from < longest; from += BLOCK) {
            for (Walk.Pass pass : passes) {
                if (pass != null) {
                    pass.advance(from + BLOCK);
                }
            }
        }
        List<Decision> out = new ArrayList<>(decisions.length);
        for (int k = 0; k < decisions.length; k++) {
            out.add(passes[k] == null ? decisions[k] : passes[k].finish().then(policies[k]).decision());
        }
        return out;
    }

    // rules per block: small enough that a block stays in cache while every packet walks it
    private static final int BLOCK = 256;

    /** The packet's built-in filter chain, or null when the kernel default applies. */
    private static Chain builtin(Ruleset rs, Packet p) {
        if (p.family() != null && p.family() != rs.family()) {
            throw new IllegalArgumentException(
                    "a " + p.family().key() + " packet offered to an " + rs.family().key() + " ruleset");
        }
        if (!BUILTINS.contains(p.chain())) {
            throw new IllegalArgumentException("packet chain must be INPUT, OUTPUT or FORWARD: " + p.chain());
        }
        Table filter = rs.table(FILTER);
        return filter == null ? null : filter.chain(p.chain());
    }

    private static Decision kernelDefault(Ruleset rs, Packet p) {
        return new Decision(Verdict.ACCEPT, rs.table(FILTER) == null
                ? "no filter table (kernel default ACCEPT)"
                : "no filter " + p.chain() + " chain (kernel default ACCEPT)");
    }

    /** What a return from the built-in chain leads to. */
    private static Outcomes policy(Chain chain) {
        String policy = chain.policy() == null ? "ACCEPT" : chain.policy();
        Site site = new Site(chain.name(), -1, null, policy);
        return switch (policy) {
            case "ACCEPT" -> Outcomes.end(Outcomes.ACCEPT, site);
            case "DROP" -> Outcomes.end(Outcomes.DENY, site);
            default -> Outcomes.end(Outcomes.UNDECIDED, site);
        };
    }

    /** One packet's walk through the filter table, with each user chain's outcomes remembered. */
    private static final class Walk {
        private static final Outcomes IN_PROGRESS = Outcomes.end(Outcomes.UNDECIDED, null); // by identity

        private final Table filter;
        private final Probe probe;
        private Map<String, Outcomes> userChains;

        Walk(Table filter, Probe probe) {
            this.filter = filter;
            this.probe = probe;
        }

        Outcomes chain(Chain chain) {
            Pass pass = new Pass(chain);
            pass.advance(Integer.MAX_VALUE);
            return pass.finish();
        }

        /**
         * One chain for this packet: forward until the first rule that surely ends the walk, remembering
         * only the rules that may branch; then backward, folding each of those into what follows it.
         * The forward part can stop and resume, so that several packets can share a block of rules.
         */
        final class Pass {
            private final Chain chain;
            private final List<Rule> rules;
            private int next;
            private int[] pending; // rule index << 1 | 1 when its match is undecidable
            private int count;
            private Outcomes tail = Outcomes.BACK;

            Pass(Chain chain) {
                this.chain = chain;
                this.rules = chain.rules();
            }

            void advance(int until) {
                int end = Math.min(until, rules.size());
                for (int i = next; i < end; i++) {
                    Rule r = rules.get(i);
                    int kind = kind(r.target());
                    if (kind == CONTINUE) {
                        continue;
                    }
                    Ternary m = Conditions.test(r, probe);
                    if (m == Ternary.FALSE) {
                        continue;
                    }
                    if (kind == JUMP) {
                        Outcomes called = callee(chain, i, r);
                        if (called.ends == Outcomes.RETURN) {
                            continue; // the chain always comes back: no effect
                        }
                        if (m == Ternary.TRUE && !called.mayReturn()) {
                            stop(called);
                            return;
                        }
                    } else if (m == Ternary.TRUE) {
                        stop(taken(chain, i, r, kind, null));
                        return;
                    }
                    if (pending == null) {
                        pending = new int[8];
                    } else if (count == pending.length) {
                        pending = Arrays.copyOf(pending, count * 2);
                    }
                    pending[count++] = i << 1 | (m == Ternary.UNKNOWN ? 1 : 0);
                }
                next = Math.max(next, end);
            }

            private void stop(Outcomes end) {
                tail = end;
                next = rules.size();
            }

            Outcomes finish() {
                Outcomes acc = tail;
                for (int k = count - 1; k >= 0; k--) {
                    int i = pending[k] >>> 1;
                    Rule r = rules.get(i);
                    Outcomes taken = taken(chain, i, r, kind(r.target()), acc);
                    acc = (pending[k] & 1) == 1 ? Outcomes.join(site(chain, i, r), taken, acc) : taken;
                }
                return acc;
            }
        }

        /** The outcomes when rule {@code i} matches, with {@code after} what follows it in its chain. */
        private Outcomes taken(Chain chain, int i, Rule r, int kind, Outcomes after) {
            if (kind == JUMP) {
                return callee(chain, i, r).then(after);
            }
            if (kind == GOTO) {
                return callee(chain, i, r); // its return is the return of this chain
            }
            return switch (r.target().name()) {
                case "ACCEPT" -> Outcomes.end(Outcomes.ACCEPT, site(chain, i, r));
                case "DROP", "REJECT" -> Outcomes.end(Outcomes.DENY, site(chain, i, r));
                case "RETURN" -> Outcomes.BACK;
                default -> Outcomes.end(Outcomes.UNDECIDED, site(chain, i, r));
            };
        }

        private Outcomes callee(Chain caller, int i, Rule r) {
            if (userChains == null) {
                userChains = new HashMap<>();
            }
            String name = r.target().name();
            Outcomes known = userChains.get(name);
            if (known == IN_PROGRESS) {
                return Outcomes.end(Outcomes.UNDECIDED, site(caller, i, r)); // a loop the kernel would refuse
            }
            if (known != null) {
                return known;
            }
            userChains.put(name, IN_PROGRESS);
            Outcomes out = chain(filter.chain(name));
            userChains.put(name, out);
            return out;
        }

        private int kind(Target t) {
            if (t == null) {
                return CONTINUE;
            }
            String name = t.name();
            switch (name) {
                case "ACCEPT", "DROP", "REJECT", "RETURN":
                    return END;
                default:
                    break;
            }
            if (filter.chain(name) != null && !BUILTINS.contains(name)) {
                return t.goTo() ? GOTO : JUMP;
            }
            if (t.goTo()) {
                return END; // a goto to no user chain: undecidable
            }
            return CONTINUING.contains(name) ? CONTINUE : END;
        }

        private static Site site(Chain chain, int i, Rule r) {
            return new Site(chain.name(), i, r, null);
        }
    }
}
