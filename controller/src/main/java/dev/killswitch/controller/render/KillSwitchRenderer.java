package dev.killswitch.controller.render;

import dev.killswitch.agent.desired.Cidr;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredState.Expectation;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.Table;
import dev.killswitch.agent.yaml.Entries;
import dev.killswitch.agent.yaml.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders one host's kill switch into the agent's DesiredState. What the seed's script got wrong is
 * fixed here: no reset step (the agent edits in place), SSH only from the given sources (on the physical
 * interface, and on the LAN interface in gateway mode) with replies only for SSH flows, established
 * traffic out of the physical interface only for SSH and the endpoint, DHCP renewals allowed, IPv6
 * blocked by ip6tables as well as sysctl, endpoints resolved on the controller, LAN clients forwarded
 * through the tunnel with their NAT.
 */
public final class KillSwitchRenderer {
    /** Documentation addresses the invariants probe with; no packet is ever sent to them. */
    static final String PROBE_V4 = "192.0.2.80";
    static final String DNS_V4 = "192.0.2.53";
    static final String DNS_V6 = "2001:db8::53";

    private KillSwitchRenderer() {
    }

    /** An endpoint after resolution. */
    record Endpoint(Family family, String ip, int port) {
    }

    public static DesiredState render(String host, KillSwitch ks, Facts facts, Resolver resolver, Field rawRules,
                                      Map<String, ?> vars) {
        Origin o = ks.origin();
        String p = ks.physical() != null ? ks.physical() : facts.defaultInterface();
        if (p == null) {
            throw new InputError(field(o, "interfaces.physical"), host + " has no default route, so the physical "
                    + "interface cannot be found: set interfaces.physical");
        }
        String t = ks.tunnel();
        List<Endpoint> endpoints = endpoints(host, ks, facts, resolver);

        Chains v4 = new Chains(o);
        Chains v6 = new Chains(o);
        v4.add("INPUT", "-i lo -j ACCEPT", "loopback");
        v6.add("INPUT", "-i lo -j ACCEPT", "loopback");
        v4.add("OUTPUT", "-o lo -j ACCEPT", "loopback");
        v6.add("OUTPUT", "-o lo -j ACCEPT", "loopback");
        boolean tunnel6 = ks.ipv6().equals("tunnel");
        for (int port : ks.sshPorts()) {
            List<String> sources = ks.sshSources().isEmpty() ? List.of("") : ks.sshSources();
            for (String src : sources) {
                Family fam = src.isEmpty() ? null : Cidr.parse(src).family();
                for (Chains c : fam == null ? (tunnel6 ? List.of(v4, v6) : List.of(v4))
                        : fam == Family.IPV4 ? List.of(v4) : tunnel6 ? List.of(v6) : List.<Chains>of()) {
                    String s = src.isEmpty() ? "" : " -s " + src;
                    String d = src.isEmpty() ? "" : " -d " + src;
                    c.add("INPUT", "-i " + p + s + " -p tcp -m tcp --dport " + port + " -j ACCEPT", "ssh");
                    // replies only: never a SYN, so no connection can start from the SSH port (the seed's
                    // --sport 22 hole). Stateless on purpose: a session that predates connection tracking in
                    // this namespace is not "ESTABLISHED" to the kernel, and would stall after the lock-down
                    c.add("OUTPUT", "-o " + p + d + " -p tcp -m tcp --sport " + port + " ! --syn -j ACCEPT", "ssh");
                }
            }
        }
        for (Endpoint e : endpoints) {
            Chains c = e.family() == Family.IPV4 ? v4 : v6;
            if (e.family() == Family.IPV6 && !tunnel6) {
                continue;
            }
            String prefix = e.family() == Family.IPV4 ? "/32" : "/128";
            c.add("INPUT", "-i " + p + " -s " + e.ip() + prefix + " -p udp -m udp --sport " + e.port() + " -j ACCEPT",
                    "endpoints");
            c.add("OUTPUT", "-o " + p + " -d " + e.ip() + prefix + " -p udp -m udp --dport " + e.port() + " -j ACCEPT",
                    "endpoints");
        }
        if (ks.dhcpV4()) {
            v4.add("INPUT", "-i " + p + " -p udp -m udp --sport 67 --dport 68 -j ACCEPT", "dhcp");
            // unicast renewals go to the server's address, not only to broadcast
            v4.add("OUTPUT", "-o " + p + " -p udp -m udp --sport 68 --dport 67 -j ACCEPT", "dhcp");
        }
        if (tunnel6) {
            for (String type : List.of("133", "134", "135", "136", "137")) {
                v6.add("INPUT", "-i " + p + " -s fe80::/10 -p ipv6-icmp -m icmp6 --icmpv6-type " + type
                        + " -j ACCEPT", "ipv6");
                v6.add("OUTPUT", "-o " + p + " -p ipv6-icmp -m icmp6 --icmpv6-type " + type + " -j ACCEPT", "ipv6");
            }
            if (ks.dhcpV6()) {
                v6.add("INPUT", "-i " + p + " -s fe80::/10 -p udp -m udp --sport 547 --dport 546 -j ACCEPT", "dhcp");
                v6.add("OUTPUT", "-o " + p + " -d ff02::1:2/128 -p udp -m udp --sport 546 --dport 547 -j ACCEPT",
                        "dhcp");
            }
        }
        for (Chains c : tunnel6 ? List.of(v4, v6) : List.of(v4)) {
            c.add("INPUT", "-i " + t + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "interfaces.tunnel");
            c.add("OUTPUT", "-o " + t + " -j ACCEPT", "interfaces.tunnel");
        }
        Map<String, List<RawRule>> nat = null;
        if (ks.lan() != null) {
            String l = ks.lan().iface();
            if (!ks.sshSources().isEmpty()) {
                // the LAN is trusted, but not for SSH: only the configured sources may log in, on any interface
                for (int port : ks.sshPorts()) {
                    for (String src : ks.sshSources()) {
                        if (Cidr.parse(src).family() == Family.IPV4) {
                            v4.add("INPUT", "-i " + l + " -s " + src + " -p tcp -m tcp --dport " + port
                                    + " -j ACCEPT", "ssh");
                        }
                    }
                    v4.add("INPUT", "-i " + l + " -p tcp -m tcp --dport " + port + " -j DROP", "ssh");
                }
            }
            v4.add("INPUT", "-i " + l + " -j ACCEPT", "lan");
            v4.add("OUTPUT", "-o " + l + " -j ACCEPT", "lan");
            nat = new LinkedHashMap<>();
            List<RawRule> post = new ArrayList<>();
            for (String cidr : ks.lan().cidrs()) {
                v4.add("FORWARD", "-s " + cidr + " -i " + l + " -o " + t + " -j ACCEPT", "lan");
                v4.add("FORWARD", "-d " + cidr + " -i " + t + " -o " + l
                        + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "lan");
                post.add(new RawRule("-s " + cidr + " -o " + t + " -j MASQUERADE", field(o, "lan")));
            }
            nat.put("POSTROUTING", post);
        }
        if (rawRules != null) {
            raw(rawRules, vars, v4, v6);
        }

        Map<Family, Map<String, DesiredState.TableSpec>> families = new LinkedHashMap<>();
        Map<String, DesiredState.TableSpec> t4 = new LinkedHashMap<>();
        t4.put("filter", filter(v4, ks, o));
        if (nat != null) {
            t4.put("nat", new DesiredState.TableSpec("nat", Map.of(), nat, ks.ignore(), field(o, "lan")));
        }
        families.put(Family.IPV4, t4);
        Map<String, DesiredState.TableSpec> t6 = new LinkedHashMap<>();
        t6.put("filter", filter(v6, ks, o));
        families.put(Family.IPV6, t6);

        Map<String, DesiredState.Sysctl> sysctl = new LinkedHashMap<>();
        if (!tunnel6) {
            for (String k : List.of("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")) {
                sysctl.put(k, new DesiredState.Sysctl(k, "1", field(o, "ipv6")));
            }
        }
        if (ks.lan() != null) {
            sysctl.put("net.ipv4.ip_forward", new DesiredState.Sysctl("net.ipv4.ip_forward", "1", field(o, "lan")));
        }
        DesiredState.Persist persist = ks.persist() ? new DesiredState.Persist("/etc/iptables/rules.v4",
                "/etc/iptables/rules.v6", "/etc/sysctl.d/99-killswitch.conf") : null;
        List<Expectation> expect = invariants(p, ks, endpoints, tunnel6);
        expect.addAll(ks.expect());
        return new DesiredState(o.file(), host, families, sysctl, persist,
                new DesiredState.Guards(new DesiredState.Ssh(ks.sshPorts(), ks.sshSources()), expect));
    }

    /** The kill switch proves itself at every step: nothing leaves the physical interface but the holes. */
    static List<Expectation> invariants(String p, KillSwitch ks, List<Endpoint> endpoints, boolean tunnel6) {
        Origin o = field(ks.origin(), "expect (built in)");
        Family v4 = Family.IPV4;
        List<Expectation> out = new ArrayList<>();
        out.add(new Expectation(false, v4, "OUTPUT", null, p, "udp", null, DNS_V4, 40000, 53, "NEW", o));
        out.add(new Expectation(false, v4, "OUTPUT", null, p, "tcp", null, PROBE_V4, 40000, 80, "NEW", o));
        out.add(new Expectation(false, v4, "OUTPUT", null, p, "icmp", null, PROBE_V4, null, null, "NEW", o));
        out.add(new Expectation(false, v4, "OUTPUT", null, p, "tcp", null, PROBE_V4, 22, 80, "NEW", o));
        out.add(new Expectation(false, v4, "OUTPUT", null, p, "tcp", null, PROBE_V4, 40000, 443, "ESTABLISHED", o));
        out.add(new Expectation(false, Family.IPV6, "OUTPUT", null, p, "udp", null, DNS_V6, 40000, 53, "NEW", o));
        for (Endpoint e : endpoints) {
            if (e.family() == v4 || tunnel6) {
                out.add(new Expectation(true, e.family(), "OUTPUT", null, p, "udp", null, e.ip(), null, e.port(),
                        "NEW", o));
            }
        }
        if (ks.lan() != null) {
            out.add(new Expectation(false, v4, "FORWARD", ks.lan().iface(), p, "udp", null, DNS_V4, 40000, 53, "NEW",
                    o));
        }
        return out;
    }

    private static List<Endpoint> endpoints(String host, KillSwitch ks, Facts facts, Resolver resolver) {
        List<String> specs = ks.endpoints();
        Origin o = field(ks.origin(), "endpoints");
        if (ks.endpointsAuto()) {
            specs = new ArrayList<>();
            for (Facts.WireGuard w : facts.wireguard()) {
                if (w.name().equals(ks.tunnel())) {
                    specs.addAll(w.endpoints());
                }
            }
            if (specs.isEmpty()) {
                throw new InputError(o, host + ": endpoints: auto, but " + ks.tunnel() + " has no peer endpoint "
                        + "(no live interface and no /etc/wireguard/" + ks.tunnel() + ".conf); list the endpoints");
            }
        }
        List<Endpoint> out = new ArrayList<>();
        for (String spec : specs) {
            int colon = spec.lastIndexOf(':');
            String name = spec.substring(0, colon);
            int port = Integer.parseInt(spec.substring(colon + 1));
            String ip;
            try {
                ip = resolver.resolve(name);
            } catch (IllegalArgumentException e) {
                throw new InputError(o, host + ": " + e.getMessage());
            }
            out.add(new Endpoint(Cidr.familyOf(Cidr.address(ip)), ip, port));
        }
        return out;
    }

    private static DesiredState.TableSpec filter(Chains c, KillSwitch ks, Origin o) {
        Map<String, String> policies = new LinkedHashMap<>();
        for (String b : Table.builtins("filter")) {
            policies.put(b, "DROP");
        }
        Map<String, List<RawRule>> chains = new LinkedHashMap<>();
        for (String b : Table.builtins("filter")) {
            chains.put(b, c.chain(b));
        }
        c.chains.forEach((name, rules) -> chains.putIfAbsent(name, rules));
        return new DesiredState.TableSpec("filter", policies, chains, ks.ignore(), o);
    }

    /** The play's raw {@code rules:} section: {ipv4|ipv6: {table: {CHAIN: [rule, ...]}}}, appended. */
    private static void raw(Field rules, Map<String, ?> vars, Chains v4, Chains v6) {
        Scalars s = new Scalars(vars);
        for (Entries.Entry fam : rules.mapping().allowOnly(List.of("ipv4", "ipv6"))) {
            Chains target = fam.key().equals("ipv4") ? v4 : v6;
            for (Entries.Entry table : fam.value().mapping().allowOnly(List.of("filter"))) {
                for (Entries.Entry chain : table.value().mapping()) {
                    for (Field r : chain.value().list()) {
                        target.chain(chain.key()).add(new RawRule(s.text(r), r.origin()));
                    }
                }
            }
        }
    }

    static Origin field(Origin o, String sub) {
        return new Origin(o.file(), o.line(), "killswitch." + sub);
    }

    /** Rules per chain being built, each with the playbook origin of the setting it comes from. */
    private static final class Chains {
        final Map<String, List<RawRule>> chains = new LinkedHashMap<>();
        final Origin origin;

        Chains(Origin origin) {
            this.origin = origin;
        }

        List<RawRule> chain(String name) {
            return chains.computeIfAbsent(name, k -> new ArrayList<>());
        }

        void add(String chain, String rule, String setting) {
            chain(chain).add(new RawRule(rule, field(origin, setting == null ? "" : setting)));
        }
    }
}
