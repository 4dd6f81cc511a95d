package dev.killswitch.agent.guard;

import dev.killswitch.agent.rules.Origin;

/**
 * A packet whose fate must hold at every step of a plan.
 *
 * @param name   what it protects, for messages ("ssh live flow in", "expect[0] deny")
 * @param origin where it was asked for (null for the SSH guard)
 */
public record Check(String name, Kind kind, Packet packet, Origin origin) {

    public enum Kind {
        /** SSH must stay accepted. */
        SSH,
        ALLOW,
        DENY
    }

    public Verdict expected() {
        return kind == Kind.DENY ? Verdict.DENY : Verdict.ACCEPT;
    }
}
