package dev.killswitch.controller.rollout;

/** How one host ended, in the operator's words (the PLAY RECAP columns). */
public enum Status {
    /** Already as desired; nothing changed. */
    OK,
    /** Changed (or, for a plan, changes pending) and, for an apply, confirmed over a fresh connection. */
    CHANGED,
    FAILED,
    /** Could not be reached or authenticated: counts as failed for max_fail_percentage. */
    UNREACHABLE,
    /** Applied but not confirmed: the host restored its previous rules itself. */
    ROLLED_BACK,
    /** Not attempted because the rollout stopped earlier. */
    SKIPPED;

    public boolean failed() {
        return this == FAILED || this == UNREACHABLE || this == ROLLED_BACK;
    }
}
