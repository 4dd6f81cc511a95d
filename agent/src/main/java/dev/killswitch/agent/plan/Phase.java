package dev.killswitch.agent.plan;

/** The fixed order every plan follows. Deletions come last so nothing is ever open while we work. */
public enum Phase {
    /** Rules that keep SSH and the allowed invariants working, then policies that tighten. */
    GUARD,
    /** New chains and the remaining new rules. */
    RULES,
    /** Policies that loosen. */
    POLICIES,
    /** Old rules, then old chains. */
    DELETIONS,
    SYSCTL,
    PERSIST
}
