package dev.killswitch.controller.render;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.rules.Origin;
import java.util.List;
import java.util.Map;

/**
 * A play's {@code killswitch:} section for one host, templated and validated.
 *
 * @param endpoints  {@code host-or-ip:port} entries; empty with {@code endpointsAuto} means "from facts"
 * @param physical   the physical interface, or null for "auto" (the default route's interface)
 * @param lan        gateway mode, or null
 * @param ipv6       "block" or "tunnel"
 * @param resolve    controller-side name overrides, checked before DNS
 */
public record KillSwitch(
        boolean endpointsAuto,
        List<String> endpoints,
        String physical,
        String tunnel,
        List<Integer> sshPorts,
        List<String> sshSources,
        boolean dhcpV4,
        boolean dhcpV6,
        Lan lan,
        String ipv6,
        List<String> ignore,
        boolean persist,
        String stateDir,
        List<DesiredState.Expectation> expect,
        Map<String, String> resolve,
        Origin origin) {

    /** LAN clients behind the gateway, forwarded out through the tunnel only, with their NAT. */
    public record Lan(String iface, List<String> cidrs) {
    }
}
