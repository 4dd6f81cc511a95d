package dev.killswitch.agent.guard;

import java.util.Map;

/**
 * The operator's live SSH flow (from SSH_CONNECTION) and the interfaces it uses, as observed.
 * All fields may be null when the agent was not started over SSH.
 *
 * @param inIface     interface that holds the server address
 * @param outIface    interface of the route back to the client
 * @param routeIfaces interface of the route to each extra SSH source ({@code guards.ssh.from})
 */
public record SshContext(String clientIp, Integer clientPort, String serverIp, Integer serverPort,
                         String inIface, String outIface, Map<String, String> routeIfaces) {

    public static SshContext none() {
        return new SshContext(null, null, null, null, null, null, Map.of());
    }

    public boolean live() {
        return clientIp != null && serverIp != null;
    }
}
