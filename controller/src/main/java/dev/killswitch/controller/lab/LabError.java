package dev.killswitch.controller.lab;

/** The lab could not be built, read or torn down; the message says what to do. */
public class LabError extends RuntimeException {
    public LabError(String message) {
        super(message);
    }

    public LabError(String message, Throwable cause) {
        super(message, cause);
    }
}
