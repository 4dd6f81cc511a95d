package dev.killswitch.agent.guard;

/** Ternary outcome of a packet against a ruleset. */
public enum Verdict {
    ACCEPT,
    DENY,
    /** Some rule on the way tests something the simulator cannot decide, and the outcomes differ. */
    UNKNOWN
}
