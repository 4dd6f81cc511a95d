package dev.killswitch.controller.transport;

/**
 * A failure talking to one gateway. The kind decides what the rollout does: {@link Unreachable} counts the host as
 * unreachable, {@link HostKeyMismatch} and {@link UnknownHostKey} stop that host for good, {@link CommandTimeout}
 * and {@link RemoteError} fail the step. Messages name the host and never carry key material.
 */
public abstract sealed class TransportException extends Exception
        permits Unreachable, HostKeyMismatch, UnknownHostKey, CommandTimeout, RemoteError {

    private final String host;

    protected TransportException(String host, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
    }

    /** Inventory name of the gateway. */
    public String host() {
        return host;
    }
}
