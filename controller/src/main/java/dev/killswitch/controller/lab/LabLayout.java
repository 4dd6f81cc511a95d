package dev.killswitch.controller.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * Every name and address of a lab, computed from its spec alone.
 *
 * <p>The "internet" is 203.0.113.0/24 on a bridge inside the {@code net} namespace, which also routes
 * (203.0.113.254). The VPN peer is 203.0.113.1 (tunnel 10.66.0.1/16, UDP 51820), the operator's workstation
 * 203.0.113.2, the sink 203.0.113.250 (on the gateways' own segment, so anything sent there leaves
 * {@code eth0}) and 198.51.100.250 (off-link, so it is reached through the tunnel while the tunnel is up).
 * Gateway {@code gwN} is 203.0.113.(10+N) on {@code eth0} and 10.66.0.(10+N) in the tunnel.
 */
public record LabLayout(String prefix, String netNamespace, String sinkNamespace, String vpnNamespace,
                        String ctlNamespace, List<LabHost> hosts) {

    public static final String ROUTER = "203.0.113.254";
    public static final String VPN = "203.0.113.1";
    public static final String CTL = "203.0.113.2";
    public static final String SINK = "203.0.113.250";
    public static final String REMOTE_SINK = "198.51.100.250";
    public static final int WG_PORT = 51820;
    public static final String VPN_ENDPOINT = VPN + ":" + WG_PORT;
    public static final String TUNNEL_NET = "10.66.0.0/16";
    public static final String VPN_TUNNEL = "10.66.0.1";
    public static final String WG_INTERFACE = "wg0";
    public static final String WAN_INTERFACE = "eth0";
    public static final String LAN_INTERFACE = "lan0";

    public LabLayout {
        hosts = List.copyOf(hosts);
    }

    /** The layout {@code spec} describes: namespaces named by its prefix, one {@link LabHost} per gateway. */
    public static LabLayout of(LabSpec spec) {
        String p = spec.prefix();
        List<LabHost> hosts = new ArrayList<>();
        for (int i = 1; i <= spec.hosts(); i++) {
            String name = "gw" + i;
            LabLan lan = i == 1
                    ? new LabLan("lan1", p + "lan1", LAN_INTERFACE, "172.31.77.1", "172.31.77.10", "172.31.77.0/24")
                    : null;
            hosts.add(new LabHost(name, p + name, "203.0.113." + (10 + i), spec.sshPortBase() + i,
                    "10.66.0." + (10 + i), lan));
        }
        return new LabLayout(p, p + "net", p + "sink", p + "vpn", p + "ctl", hosts);
    }

    /** The gateway called {@code name}. */
    public LabHost host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst()
                .orElseThrow(() -> new LabError("the lab has no gateway '" + name + "'; it has gw1..gw" + hosts.size()));
    }

    /** The LANs behind the lab's LAN gateways. */
    public List<LabLan> lans() {
        return hosts.stream().filter(LabHost::lanGateway).map(LabHost::lan).toList();
    }

    /** Every namespace of the lab, the {@code net} namespace first. */
    public List<String> namespaces() {
        List<String> all = new ArrayList<>(List.of(netNamespace, sinkNamespace, vpnNamespace, ctlNamespace));
        hosts.forEach(h -> all.add(h.namespace()));
        lans().forEach(l -> all.add(l.clientNamespace()));
        return all;
    }

    /** True when {@code namespace} is one this kind of lab would create with {@code prefix}. */
    static boolean ownedBy(String prefix, String namespace) {
        return namespace.startsWith(prefix)
                && namespace.substring(prefix.length()).matches("net|sink|vpn|ctl|gw[0-9]+|lan[0-9]+");
    }
}
