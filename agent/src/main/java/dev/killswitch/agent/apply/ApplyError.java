package dev.killswitch.agent.apply;

import dev.killswitch.agent.rules.Origin;

/** An apply that could not be carried out; the host was left as it was (or rolled back to it). */
public class ApplyError extends RuntimeException {
    private final Origin origin;

    public ApplyError(String message, Origin origin) {
        super(origin == null ? message : origin + ": " + message);
        this.origin = origin;
    }

    public ApplyError(String message) {
        this(message, null);
    }

    public Origin origin() {
        return origin;
    }
}
