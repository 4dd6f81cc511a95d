package dev.killswitch.controller.transport;

/** The host could not be reached, refused the login, or dropped the connection: the host counts as unreachable. */
public final class Unreachable extends TransportException {

    public Unreachable(String host, String message, Throwable cause) {
        super(host, message, cause);
    }
}
