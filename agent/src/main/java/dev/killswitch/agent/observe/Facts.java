package dev.killswitch.agent.observe;

import java.util.List;
import java.util.Map;

/**
 * What the controller needs to know about a gateway before it renders the kill switch.
 *
 * @param backend           nf_tables or legacy
 * @param iptablesVersion   the first line of {@code iptables --version}
 * @param defaultInterface  interface of the IPv4 default route (null when none)
 * @param defaultInterface6 interface of the IPv6 default route (null when none)
 * @param addresses         interface name to its addresses (with prefix length)
 * @param wireguard         WireGuard interfaces, live or configured with wg-quick
 * @param sshConnection     SSH_CONNECTION as the agent saw it, or null
 * @param ipv6              IPv6 state: sysctls and ip6tables policies
 * @param routes            every IPv4 and IPv6 route of every table, as {@code ip -o route show table all} prints
 *                          it (a route outside the main table names its table)
 */
public record Facts(
        String backend,
        String iptablesVersion,
        String defaultInterface,
        String defaultInterface6,
        Map<String, List<String>> addresses,
        List<WireGuard> wireguard,
        String sshConnection,
        Ipv6 ipv6,
        List<String> routes) {

    /**
     * A WireGuard interface.
     *
     * @param endpoints peer endpoints as {@code ip:port} (or {@code host:port} from a config file)
     * @param config    the wg-quick config it was read from, or null
     * @param up        true when the interface exists now
     */
    public record WireGuard(String name, List<String> endpoints, List<String> addresses, String config, boolean up) {
    }

    /** @param disabled sysctl values net.ipv6.conf.{all,default}.disable_ipv6 */
    public record Ipv6(Map<String, String> disabled, Map<String, String> policies) {
    }
}
