package dev.killswitch.agent.plan;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.Rule;

/** One change of a plan. Ruleset steps become lines of the family's iptables-restore transaction. */
public sealed interface Step {

    Phase phase();

    /** A one-line, iptables-flavoured description for humans. */
    String describe();

    /** Steps that change a family's ruleset. */
    sealed interface RulesetStep extends Step {
        Family family();

        String table();

        String chain();

        /** The line in an iptables-restore --noflush transaction. */
        String restoreLine();
    }

    record CreateChain(Phase phase, Family family, String table, String chain) implements RulesetStep {
        @Override
        public String restoreLine() {
            return "-N " + chain;
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": create chain " + chain;
        }
    }

    /**
     * Insert a rule at a 1-based position, or append when {@code append}.
     */
    record InsertRule(Phase phase, Family family, String table, String chain, int position, boolean append,
                      Rule rule, Origin origin) implements RulesetStep {
        @Override
        public String restoreLine() {
            return (append ? "-A " + chain : "-I " + chain + " " + position) + " " + rule.text();
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": " + restoreLine();
        }
    }

    record DeleteRule(Phase phase, Family family, String table, String chain, int position, Rule rule)
            implements RulesetStep {
        @Override
        public String restoreLine() {
            return "-D " + chain + " " + position;
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": -D " + chain + " " + position + "   (was: -A " + chain + " "
                    + rule.text() + ")";
        }
    }

    record SetPolicy(Phase phase, Family family, String table, String chain, String from, String to)
            implements RulesetStep {
        @Override
        public String restoreLine() {
            return ":" + chain + " " + to + " [0:0]";
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": policy " + chain + " " + from + " -> " + to;
        }
    }

    record FlushChain(Phase phase, Family family, String table, String chain) implements RulesetStep {
        @Override
        public String restoreLine() {
            return "-F " + chain;
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": flush chain " + chain;
        }
    }

    record DeleteChain(Phase phase, Family family, String table, String chain) implements RulesetStep {
        @Override
        public String restoreLine() {
            return "-X " + chain;
        }

        @Override
        public String describe() {
            return family.key() + " " + table + ": delete chain " + chain;
        }
    }

    /**
     * The lock-down: the rules that keep SSH and the allowed invariants working, and the policies that
     * close the chains, as one unit. Apart, either order has a bad moment (closed before SSH is
     * allowed, or SSH allowed while still open); together they go from the old state to a closed one.
     */
    record Lockdown(Phase phase, Family family, String table, java.util.List<RulesetStep> parts)
            implements RulesetStep {
        public Lockdown {
            parts = java.util.List.copyOf(parts);
        }

        @Override
        public String chain() {
            return "*";
        }

        @Override
        public String restoreLine() {
            StringBuilder sb = new StringBuilder();
            for (RulesetStep p : parts) {
                sb.append(sb.length() == 0 ? "" : "\n").append(p.restoreLine());
            }
            return sb.toString();
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder(family.key() + " " + table + ": lock down {");
            for (RulesetStep p : parts) {
                sb.append(' ').append(p.restoreLine()).append(';');
            }
            return sb.append(" }").toString();
        }
    }

    record SetSysctl(Phase phase, String key, String from, String to, Origin origin) implements Step {
        @Override
        public String describe() {
            return "sysctl " + key + ": " + from + " -> " + to;
        }
    }

    /** @param kind rules_v4, rules_v6 or sysctl */
    record PersistFile(Phase phase, String kind, String path) implements Step {
        @Override
        public String describe() {
            return "persist " + kind + " to " + path;
        }
    }
}
