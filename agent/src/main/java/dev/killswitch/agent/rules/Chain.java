package dev.killswitch.agent.rules;

import java.util.List;

/** A chain: a built-in one has a policy, a user chain has {@code null}. */
public record Chain(String name, String policy, List<Rule> rules) {
    public Chain {
        rules = List.copyOf(rules);
    }

    public boolean builtin() {
        return policy != null;
    }

    public Chain withRules(List<Rule> newRules) {
        return new Chain(name, policy, newRules);
    }

    public Chain withPolicy(String newPolicy) {
        return new Chain(name, newPolicy, rules);
    }
}
