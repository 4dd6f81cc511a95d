package dev.killswitch.agent.guard;

/** Three-valued truth of a test against a packet: UNKNOWN when the packet or the simulator cannot tell. */
enum Ternary {
    TRUE,
    FALSE,
    UNKNOWN;

    static Ternary of(boolean b) {
        return b ? TRUE : FALSE;
    }

    /** {@code !} in front of an option; the negation of UNKNOWN stays UNKNOWN. */
    Ternary negateIf(boolean negated) {
        if (!negated || this == UNKNOWN) {
            return this;
        }
        return this == TRUE ? FALSE : TRUE;
    }

    Ternary and(Ternary other) {
        if (this == FALSE || other == FALSE) {
            return FALSE;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : TRUE;
    }

    Ternary or(Ternary other) {
        if (this == TRUE || other == TRUE) {
            return TRUE;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : FALSE;
    }
}
