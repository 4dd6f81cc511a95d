package dev.killswitch.controller.transport;

/** Opens connections to gateways; the only SSH surface the orchestrator sees. Implementations are thread-safe. */
public interface Transport {

    /**
     * Opens one connection to {@code target} (host key checked, authenticated).
     *
     * @throws Unreachable when the host cannot be reached or refuses authentication
     * @throws HostKeyMismatch when the host presents a key other than the one in known_hosts
     * @throws UnknownHostKey when the host is not in known_hosts and new keys are not accepted
     */
    Connection connect(Target target) throws TransportException;
}
