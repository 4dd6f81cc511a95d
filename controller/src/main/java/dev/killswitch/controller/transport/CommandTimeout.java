package dev.killswitch.controller.transport;

import java.time.Duration;

/** A remote command outlived its timeout and was stopped on the gateway. */
public final class CommandTimeout extends TransportException {

    private final Duration timeout;

    public CommandTimeout(String host, String command, Duration timeout) {
        super(host, "host " + host + ": command did not finish within " + timeout.toMillis() + " ms: " + command, null);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
