package dev.killswitch.controller.drift;

import dev.killswitch.agent.desired.Cidr;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.controller.render.KillSwitch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes that pull traffic out of the tunnel by being more specific than the tunnel's own routes, as a DHCP server
 * does with option 121 in TunnelVision (CVE-2024-3661). The kill switch's rules still decide what may leave, but such
 * a route sends tunnel-bound traffic to the physical interface in clear, so it is a leak-risk finding.
 */
public final class TunnelVision {
    /** Route types that deliver nowhere or only locally: they cannot carry traffic past the tunnel. */
    private static final Set<String> NOT_UNICAST = Set.of("unreachable", "blackhole", "prohibit", "throw", "local",
            "broadcast", "anycast", "multicast", "nat");

    private TunnelVision() {
    }

    /**
     * The leak-risk findings for one host's routes.
     *
     * @param facts    the host's facts (its main-table routes, addresses and WireGuard endpoints); null gives none
     * @param tunnel   the tunnel interface whose routes the others are measured against
     * @param declared networks the desired state routes on purpose (a LAN behind a router, say): never reported
     */
    public static List<Finding> findings(Facts facts, String tunnel, List<String> declared) {
        List<Finding> out = new ArrayList<>();
        if (facts == null || facts.routes() == null) {
            return out;
        }
        List<Route> routes = new ArrayList<>();
        for (String line : facts.routes()) {
            Route r = Route.parse(line);
            if (r != null) {
                routes.add(r);
            }
        }
        // the tunnel's routes in any table: wg-quick's full tunnel has its default route in table 51820, and its
        // rule "lookup main suppress_prefixlength 0" lets every main-table route but the default win over it
        List<Cidr> tunnelRoutes = routes.stream().filter(r -> r.dev().equals(tunnel)).map(Route::dst).toList();
        List<Cidr> endpoints = endpoints(facts, tunnel);
        List<Cidr> allowed = declared.stream().map(TunnelVision::cidr).filter(c -> c != null).toList();
        for (Route r : routes) {
            if (!r.main() || r.dev().equals(tunnel) || r.dev().equals("lo") || endpoints.contains(r.dst())
                    || connected(r, facts.addresses()) || allowed.stream().anyMatch(d -> covers(d, r.dst()))) {
                continue;
            }
            if (tunnelRoutes.stream().anyMatch(t -> t.prefix() < r.dst().prefix() && covers(t, r.dst()))) {
                out.add(new Finding(Finding.Kind.LEAK_RISK, "route " + r.dst() + " via " + r.dev()
                        + " is more specific than the tunnel's routes (TunnelVision, CVE-2024-3661)"));
            }
        }
        return out;
    }

    /** One unicast route as {@code ip -o route show table all} prints it; {@code main} when in the main table. */
    private record Route(Cidr dst, String via, String dev, boolean main) {

        /** The route on a line; null for lines that carry no traffic out (blackholes, local types) or name no device. */
        static Route parse(String line) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || NOT_UNICAST.contains(w[0])) {
                return null;
            }
            int at = w[0].equals("unicast") ? 1 : 0;
            if (at >= w.length) {
                return null;
            }
            String via = word(w, "via");
            String dev = word(w, "dev");
            if (dev == null) {
                return null;
            }
            String dst = w[at];
            if (dst.equals("default")) {
                boolean v6 = (via != null && via.contains(":")) || List.of(w).contains("pref");
                dst = v6 ? "::/0" : "0.0.0.0/0";
            }
            Cidr c = cidr(dst);
            String table = word(w, "table");
            return c == null ? null : new Route(network(c), via, dev, table == null || table.equals("main"));
        }
    }

    /** A numeric network, or null for anything else (a route line this check does not understand is skipped). */
    private static Cidr cidr(String text) {
        try {
            return network(Cidr.parse(text));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The network of an address with a prefix: host bits cleared, so equal networks compare equal. */
    private static Cidr network(Cidr c) {
        byte[] a = c.address().getAddress();
        for (int bit = c.prefix(); bit < a.length * 8; bit++) {
            a[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return new Cidr(java.net.InetAddress.getByAddress(a), c.prefix(), c.family());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: the length is that of a real address
        }
    }

    private static boolean covers(Cidr outer, Cidr inner) {
        return outer.family() == inner.family() && outer.prefix() <= inner.prefix() && outer.contains(inner.address());
    }

    /** The link's own subnet: a route without a gateway to the network of an address on the same device. */
    private static boolean connected(Route r, Map<String, List<String>> addresses) {
        if (r.via() != null || addresses == null) {
            return false;
        }
        return addresses.getOrDefault(r.dev(), List.of()).stream().map(TunnelVision::cidr).anyMatch(r.dst()::equals);
    }

    /** Host routes to the tunnel's peers: the encrypted packets must reach them outside the tunnel. */
    private static List<Cidr> endpoints(Facts facts, String tunnel) {
        List<Cidr> out = new ArrayList<>();
        for (Facts.WireGuard wg : facts.wireguard() == null ? List.<Facts.WireGuard>of() : facts.wireguard()) {
            if (!wg.name().equals(tunnel)) {
                continue;
            }
            for (String ep : wg.endpoints()) {
                Cidr c = cidr(endpointHost(ep));
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** What a play declares routed outside the tunnel on purpose: its LAN networks and its numeric endpoints. */
    public static List<String> declared(KillSwitch ks) {
        List<String> out = new ArrayList<>();
        if (ks.lan() != null) {
            out.addAll(ks.lan().cidrs());
        }
        for (String ep : ks.endpoints()) {
            String host = endpointHost(ep);
            if (cidr(host) != null) {
                out.add(host);
            }
        }
        return out;
    }

    /** {@code 198.51.100.7} of {@code 198.51.100.7:51820}, {@code 2001:db8::7} of {@code [2001:db8::7]:51820}. */
    private static String endpointHost(String ep) {
        int colon = ep.lastIndexOf(':');
        String host = colon < 0 ? ep : ep.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String word(String[] w, String key) {
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals(key)) {
                return w[i + 1];
            }
        }
        return null;
    }
}
