package dev.killswitch.controller.transport;

/** The host answered, but an operation on it failed (file transfer, rename, checksum, missing runtime). */
public final class RemoteError extends TransportException {

    public RemoteError(String host, String message, Throwable cause) {
        super(host, message, cause);
    }

    public RemoteError(String host, String message) {
        this(host, message, null);
    }
}
