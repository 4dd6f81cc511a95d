package dev.killswitch.controller.transport;

import java.nio.file.Path;
import java.util.List;

/** The host presented a key that known_hosts does not hold for it: terminal, never retried, nothing was run. */
public final class HostKeyMismatch extends TransportException {

    private final List<String> expected;
    private final String presented;
    private final Path knownHosts;

    /**
     * @param who the host as shown ("gw3 (10.0.0.3:22)" or "jump host bastion:22 for gw3")
     * @param hostKey how ssh-keygen -R names the entry ({@code host} or {@code [host]:port})
     * @param expected fingerprints known_hosts holds for the host, with their key types
     * @param presented fingerprint the host presented, with its key type
     */
    public HostKeyMismatch(String host, String who, String hostKey, List<String> expected, String presented,
                           Path knownHosts) {
        super(host, "HOST KEY MISMATCH for " + who + ": it presented " + presented + " but " + knownHosts
                + " expects " + String.join(" or ", expected) + ". Nothing was run. If the host was reinstalled,"
                + " check the new key and remove the old entry with: ssh-keygen -R '" + hostKey + "' -f "
                + knownHosts, null);
        this.expected = List.copyOf(expected);
        this.presented = presented;
        this.knownHosts = knownHosts;
    }

    public List<String> expected() {
        return expected;
    }

    public String presented() {
        return presented;
    }

    public Path knownHosts() {
        return knownHosts;
    }
}
