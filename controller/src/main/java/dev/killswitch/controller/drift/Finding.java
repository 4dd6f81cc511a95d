package dev.killswitch.controller.drift;

/**
 * One way a host differs from its desired state, classified by its effect, not by its text.
 *
 * @param kind   what the difference does
 * @param detail what was found, in the agent's words (a rule, a check and its verdict)
 */
public record Finding(Kind kind, String detail) {

    public enum Kind {
        /** An invariant fails on the live host, a policy is looser, or a rule lets traffic out of the physical interface. */
        LEAK_RISK,
        /** SSH to the host is not (provably) accepted on the live host. */
        LOCKOUT_RISK,
        /** A chain or rule that belongs to someone else (an ignore pattern), such as Docker's. */
        FOREIGN,
        /** Different rules, same effect on every guarded packet (order, comments, redundant rules). */
        BENIGN;

        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }
}
