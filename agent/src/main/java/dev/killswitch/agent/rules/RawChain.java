package dev.killswitch.agent.rules;

import java.util.List;

/** A chain as written: policy null for a user chain (or an undeclared policy), rules in kernel order. */
public record RawChain(String name, String policy, List<RawRule> rules, Origin origin) {
    public RawChain {
        rules = List.copyOf(rules);
    }
}
