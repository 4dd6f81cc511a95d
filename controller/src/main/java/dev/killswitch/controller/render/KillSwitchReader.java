package dev.killswitch.controller.render;

import dev.killswitch.agent.desired.Cidr;
import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.DesiredStateReader;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.yaml.Entries;
import dev.killswitch.agent.yaml.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads a play's {@code killswitch:} section for one host; every error names the playbook's file, line and field. */
public final class KillSwitchReader {
    static final List<String> KEYS = List.of("endpoints", "interfaces", "ssh", "dhcp", "lan", "dns", "ipv6",
            "ignore", "persist", "state_dir", "expect", "resolve");
    static final Pattern IFACE = DesiredStateReader.IFACE;
    static final Pattern GLOB = DesiredStateReader.GLOB;
    static final Pattern ENDPOINT = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9_.-]+):([0-9]{1,5})");
    static final Pattern PATH = Pattern.compile("/[A-Za-z0-9_./-]*");
    static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9_.-]{1,253}");

    private KillSwitchReader() {
    }

    public static KillSwitch read(Field section, Map<String, ?> vars) {
        Scalars s = new Scalars(vars);
        Entries e = section.mapping().allowOnly(KEYS);

        boolean auto = true;
        List<String> endpoints = new ArrayList<>();
        Field ep = e.get("endpoints");
        if (ep != null && !(!ep.isList() && "auto".equals(s.text(ep)))) {
            auto = false;
            for (Scalars.Item it : s.list(ep)) {
                Field f = it.field();
                String v = it.text();
                if (!ENDPOINT.matcher(v).matches() || Integer.parseInt(v.substring(v.lastIndexOf(':') + 1)) > 65535
                        || Integer.parseInt(v.substring(v.lastIndexOf(':') + 1)) < 1) {
                    throw f.error("endpoint '" + v + "' must be host:port or ip:port (IPv6 as [addr]:port)");
                }
                endpoints.add(v);
            }
        }

        String physical = null;
        String tunnel = "wg0";
        if (e.get("interfaces") != null) {
            Entries i = e.get("interfaces").mapping().allowOnly(List.of("physical", "tunnel"));
            if (i.get("physical") != null) {
                String p = s.text(i.get("physical"));
                physical = p.equals("auto") ? null : iface(i.get("physical"), p);
            }
            if (i.get("tunnel") != null) {
                tunnel = iface(i.get("tunnel"), s.text(i.get("tunnel")));
            }
        }

        List<Integer> ports = new ArrayList<>(List.of(22));
        List<String> sources = new ArrayList<>();
        if (e.get("ssh") != null) {
            Entries ssh = e.get("ssh").mapping().allowOnly(List.of("ports", "sources"));
            if (ssh.get("ports") != null) {
                ports.clear();
                for (Scalars.Item it : s.list(ssh.get("ports"))) {
                    Field f = it.field();
                    int p;
                    try {
                        p = Integer.parseInt(it.text().trim());
                    } catch (NumberFormatException ex) {
                        throw f.error("SSH port must be a number, got '" + it.text() + "'");
                    }
                    if (p < 1 || p > 65535) {
                        throw f.error("SSH port must be 1..65535, got " + p);
                    }
                    ports.add(p);
                }
                if (ports.isEmpty()) {
                    throw ssh.get("ports").error("at least one SSH port is needed, or every change would lock you out");
                }
            }
            if (ssh.get("sources") != null) {
                for (Scalars.Item it : s.list(ssh.get("sources"))) {
                    sources.add(cidr(it.field(), it.text()));
                }
            }
        }

        boolean v4 = true;
        boolean v6 = true;
        if (e.get("dhcp") != null) {
            Field d = e.get("dhcp");
            if (d.isMapping()) {
                Entries dm = d.mapping().allowOnly(List.of("v4", "v6"));
                v4 = dm.get("v4") == null || s.bool(dm.get("v4"));
                v6 = dm.get("v6") == null || s.bool(dm.get("v6"));
            } else {
                v4 = v6 = s.bool(d);
            }
        }

        KillSwitch.Lan lan = null;
        if (e.get("lan") != null && !e.get("lan").isNull()) {
            Entries l = e.get("lan").mapping().allowOnly(List.of("interface", "cidrs"));
            String li = iface(l.required("interface"), s.text(l.required("interface")));
            List<String> cidrs = new ArrayList<>();
            for (Scalars.Item it : s.list(l.required("cidrs"))) {
                Field f = it.field();
                String c = cidr(f, it.text());
                if (Cidr.parse(c).family() != Family.IPV4) {
                    throw f.error("LAN CIDRs are IPv4 (IPv6 LAN clients go with ipv6: tunnel, not supported yet)");
                }
                cidrs.add(c);
            }
            if (cidrs.isEmpty()) {
                throw l.required("cidrs").error("lan needs at least one CIDR");
            }
            lan = new KillSwitch.Lan(li, cidrs);
        }

        if (e.get("dns") != null && !s.text(e.get("dns")).equals("tunnel")) {
            throw e.get("dns").error("dns can only be 'tunnel': DNS goes through the tunnel or nowhere");
        }
        String ipv6 = "block";
        if (e.get("ipv6") != null) {
            ipv6 = s.text(e.get("ipv6"));
            if (!ipv6.equals("block") && !ipv6.equals("tunnel")) {
                throw e.get("ipv6").error("ipv6 must be 'block' or 'tunnel', got '" + ipv6 + "'");
            }
        }
        List<String> ignore = new ArrayList<>();
        if (e.get("ignore") != null) {
            for (Scalars.Item it : s.list(e.get("ignore"))) {
                Field f = it.field();
                String g = it.text();
                if (!GLOB.matcher(g).matches()) {
                    throw f.error("ignore pattern '" + g + "' must match " + GLOB.pattern());
                }
                ignore.add(g);
            }
        }
        boolean persist = e.get("persist") == null || s.bool(e.get("persist"));
        String stateDir = "/var/lib/killswitch";
        if (e.get("state_dir") != null) {
            stateDir = s.text(e.get("state_dir"));
            if (!PATH.matcher(stateDir).matches() || stateDir.contains("..")) {
                throw e.get("state_dir").error("state_dir must be an absolute path of [A-Za-z0-9_./-]");
            }
        }
        Map<String, String> resolve = new LinkedHashMap<>();
        if (e.get("resolve") != null) {
            for (Entries.Entry r : e.get("resolve").mapping()) {
                if (!HOSTNAME.matcher(r.key()).matches()) {
                    throw r.keyField().error("'" + r.key() + "' is not a host name");
                }
                String ip = s.text(r.value());
                Cidr.address(ip);
                resolve.put(r.key(), ip);
            }
        }
        List<DesiredState.Expectation> expect = new ArrayList<>();
        if (e.get("expect") != null) {
            for (Field f : e.get("expect").list()) {
                expect.add(expectation(f, s));
            }
        }
        return new KillSwitch(auto, endpoints, physical, tunnel, ports, sources, v4, v6, lan, ipv6, ignore, persist,
                stateDir, expect, resolve, section.origin());
    }

    private static String iface(Field f, String v) {
        if (!IFACE.matcher(v).matches()) {
            throw f.error("interface name '" + v + "' must match " + IFACE.pattern());
        }
        return v;
    }

    private static String cidr(Field f, String v) {
        try {
            Cidr.parse(v);
        } catch (IllegalArgumentException ex) {
            throw f.error("'" + v + "' is not a valid address or CIDR: " + ex.getMessage());
        }
        return v;
    }

    private static DesiredState.Expectation expectation(Field f, Scalars s) {
        Entries e = f.mapping().allowOnly(List.of("allow", "deny"));
        if (e.size() != 1) {
            throw f.error("an expectation is exactly one of allow or deny");
        }
        boolean allow = e.get("allow") != null;
        Field body = allow ? e.get("allow") : e.get("deny");
        Entries b = body.mapping().allowOnly(List.of("family", "chain", "in", "out", "proto", "src", "dst", "sport",
                "dport", "state"));
        Family family = Family.ofKey(oneOf(b.required("family"), s, List.of("ipv4", "ipv6")));
        String chain = oneOf(b.required("chain"), s, List.of("INPUT", "OUTPUT", "FORWARD"));
        String in = b.get("in") == null ? null : iface(b.get("in"), s.text(b.get("in")));
        String out = b.get("out") == null ? null : iface(b.get("out"), s.text(b.get("out")));
        String proto = b.get("proto") == null ? null : oneOf(b.get("proto"), s,
                List.of("tcp", "udp", "icmp", "ipv6-icmp"));
        String src = b.get("src") == null ? null : address(b.get("src"), s, family);
        String dst = b.get("dst") == null ? null : address(b.get("dst"), s, family);
        Integer sport = b.get("sport") == null ? null : port(b.get("sport"), s);
        Integer dport = b.get("dport") == null ? null : port(b.get("dport"), s);
        String state = b.get("state") == null ? null : oneOf(b.get("state"), s,
                List.of("NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"));
        return new DesiredState.Expectation(allow, family, chain, in, out, proto, src, dst, sport, dport, state,
                body.origin());
    }

    private static String oneOf(Field f, Scalars s, List<String> allowed) {
        String v = s.text(f);
        if (!allowed.contains(v)) {
            throw f.error("'" + v + "' must be one of " + allowed);
        }
        return v;
    }

    private static String address(Field f, Scalars s, Family family) {
        String v = s.text(f);
        try {
            if (Cidr.familyOf(Cidr.address(v)) != family) {
                throw f.error("'" + v + "' is not an " + family.key() + " address");
            }
        } catch (IllegalArgumentException ex) {
            throw f.error("'" + v + "' is not an address: " + ex.getMessage());
        }
        return v;
    }

    private static int port(Field f, Scalars s) {
        int p = s.integer(f);
        if (p < 1 || p > 65535) {
            throw f.error("port must be 1..65535, got " + p);
        }
        return p;
    }
}
