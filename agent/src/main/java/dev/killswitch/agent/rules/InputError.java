package dev.killswitch.agent.rules;

/** Bad input: terminal, never retried, always names the file, line and field. */
public class InputError extends RuntimeException {
    private final Origin origin;

    public InputError(Origin origin, String message) {
        super(origin + ": " + message);
        this.origin = origin;
    }

    public Origin origin() {
        return origin;
    }
}
