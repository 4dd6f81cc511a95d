package dev.killswitch.controller.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.Facts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TunnelVisionTest {
    /** A lab gateway: full tunnel as two /1 routes on wg0, eth0's own subnet, a default via the router. */
    private static final List<String> GATEWAY = List.of(
            "default via 203.0.113.254 dev eth0",
            "0.0.0.0/1 dev wg0 scope link",
            "128.0.0.0/1 dev wg0 scope link",
            "203.0.113.0/24 dev eth0 proto kernel scope link src 203.0.113.11",
            "172.31.77.0/24 dev lan0 proto kernel scope link src 172.31.77.1",
            "fe80::/64 dev eth0 proto kernel metric 256 pref medium");

    private static Facts facts(List<String> routes, String endpoint) {
        return new Facts("nf_tables", "iptables v1.8.9 (nf_tables)", "eth0", null,
                Map.of("eth0", List.of("203.0.113.11/24", "fe80::1/64"), "lan0", List.of("172.31.77.1/24"),
                        "wg0", List.of("10.66.0.11/32")),
                List.of(new Facts.WireGuard("wg0", List.of(endpoint), List.of("10.66.0.11/32"), null, true)),
                null, null, routes);
    }

    private static List<String> with(String... extra) {
        List<String> r = new ArrayList<>(GATEWAY);
        r.addAll(List.of(extra));
        return r;
    }

    @Test
    void aGatewayWithOnlyItsOwnRoutesHasNoFinding() {
        assertEquals(List.of(), TunnelVision.findings(facts(GATEWAY, "203.0.113.1:51820"), "wg0", List.of()));
    }

    @Test
    void anOption121StyleRouteMoreSpecificThanTheTunnelIsALeakRisk() {
        List<Finding> f = TunnelVision.findings(
                facts(with("198.51.100.0/24 via 203.0.113.1 dev eth0 proto dhcp src 203.0.113.11 metric 1024"),
                        "203.0.113.1:51820"), "wg0", List.of());
        assertEquals(List.of(new Finding(Finding.Kind.LEAK_RISK, "route 198.51.100.0/24 via eth0 is more specific "
                + "than the tunnel's routes (TunnelVision, CVE-2024-3661)")), f);
    }

    @Test
    void aDefaultRouteOnTheTunnelMakesEveryOtherNonConnectedRouteARisk() {
        List<String> routes = List.of("default dev wg0 scope link", "10.0.0.0/8 via 192.168.1.1 dev eth0",
                "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.5");
        Facts f = new Facts("nf_tables", "", "wg0", null, Map.of("eth0", List.of("192.168.1.5/24")), List.of(), null,
                null, routes);
        assertEquals(1, TunnelVision.findings(f, "wg0", List.of()).size());
        assertTrue(TunnelVision.findings(f, "wg0", List.of()).get(0).detail().startsWith("route 10.0.0.0/8 via eth0"));
    }

    @Test
    void theEndpointsHostRouteConnectedSubnetsAndDeclaredNetworksAreNotReported() {
        List<Finding> f = TunnelVision.findings(facts(with("198.51.100.7 via 203.0.113.254 dev eth0",
                "10.20.0.0/16 via 172.31.77.254 dev lan0"), "198.51.100.7:51820"), "wg0", List.of("10.20.0.0/16"));
        assertEquals(List.of(), f);
    }

    @Test
    void blackholesAndRoutesNoMoreSpecificThanTheTunnelAreNotReported() {
        List<Finding> f = TunnelVision.findings(facts(with("blackhole 198.51.100.0/24", "unreachable 192.0.2.0/24",
                "0.0.0.0/1 via 203.0.113.254 dev eth0 metric 50"), "203.0.113.1:51820"), "wg0", List.of());
        assertEquals(List.of(), f);
    }

    @Test
    void ipv6RoutesAreMeasuredOnlyAgainstIpv6TunnelRoutes() {
        List<String> v6 = with("2001:db8:5::/48 via fe80::99 dev eth0 proto ra metric 1024 pref medium");
        assertEquals(List.of(), TunnelVision.findings(facts(v6, "203.0.113.1:51820"), "wg0", List.of()));
        List<String> tunnelled = new ArrayList<>(v6);
        tunnelled.add("default dev wg0 metric 1024 pref medium");
        assertEquals(1, TunnelVision.findings(facts(tunnelled, "203.0.113.1:51820"), "wg0", List.of()).size());
    }

    @Test
    void aWgQuickFullTunnelInItsOwnTableMakesEveryOtherMainTableRouteARisk() {
        // wg-quick: default dev wg0 in table 51820, main keeps the default via eth0 and is looked up first
        List<String> routes = List.of("default dev wg0 table 51820 scope link",
                "default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.5 metric 100",
                "192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.5 metric 100",
                "198.51.100.0/24 via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.5 metric 100",
                "local 192.168.1.5 dev eth0 table local proto kernel scope host src 192.168.1.5",
                "broadcast 192.168.1.255 dev eth0 table local proto kernel scope link src 192.168.1.5",
                "10.1.0.0/16 via 192.168.1.1 dev eth0 table 200",
                "multicast ff00::/8 dev eth0 table local proto kernel metric 256 pref medium");
        Facts f = new Facts("nf_tables", "", "eth0", null, Map.of("eth0", List.of("192.168.1.5/24")),
                List.of(new Facts.WireGuard("wg0", List.of("203.0.113.1:51820"), List.of(), "/etc/wireguard/wg0.conf",
                        true)), null, null, routes);
        assertEquals(List.of(new Finding(Finding.Kind.LEAK_RISK, "route 198.51.100.0/24 via eth0 is more specific "
                + "than the tunnel's routes (TunnelVision, CVE-2024-3661)")), TunnelVision.findings(f, "wg0", List.of()));
    }

    @Test
    void noFactsNoFindings() {
        assertEquals(List.of(), TunnelVision.findings(null, "wg0", List.of()));
    }
}
