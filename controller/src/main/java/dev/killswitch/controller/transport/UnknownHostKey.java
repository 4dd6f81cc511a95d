package dev.killswitch.controller.transport;

import java.nio.file.Path;

/** The host is not in known_hosts and new host keys are not accepted: terminal, nothing was run. */
public final class UnknownHostKey extends TransportException {

    private final String presented;
    private final Path knownHosts;

    public UnknownHostKey(String host, String who, String presented, Path knownHosts) {
        super(host, "unknown host key for " + who + ": " + knownHosts + " has no entry for it (it presented "
                + presented + "). Check the key and add it to known_hosts, or accept new host keys explicitly"
                + " (trust on first use).", null);
        this.presented = presented;
        this.knownHosts = knownHosts;
    }

    public String presented() {
        return presented;
    }

    public Path knownHosts() {
        return knownHosts;
    }
}
