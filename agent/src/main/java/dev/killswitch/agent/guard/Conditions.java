package dev.killswitch.agent.guard;

import dev.killswitch.agent.rules.Match;
import dev.killswitch.agent.rules.Opt;
import dev.killswitch.agent.rules.Rule;
import java.util.List;

/**
 * Whether a rule's conditions hold for a packet, in three-valued logic: the conjunction of its core
 * options and matches, where anything the packet or the simulator cannot decide is UNKNOWN.
 */
final class Conditions {

    private Conditions() {
    }

    static Ternary test(Rule rule, Probe p) {
        Ternary all = Ternary.TRUE;
        List<Opt> core = rule.core();
        for (int i = 0; i < core.size(); i++) {
            Ternary t = core(core.get(i), p);
            if (t == Ternary.FALSE) {
                return t;
            }
            all = all.and(t);
        }
        List<Match> matches = rule.matches();
        for (int i = 0; i < matches.size(); i++) {
            Ternary t = module(matches.get(i), p);
            if (t == Ternary.FALSE) {
                return t;
            }
            all = all.and(t);
        }
        return all;
    }

    private static Ternary core(Opt o, Probe p) {
        Packet pk = p.packet();
        Ternary t = switch (o.name()) {
            case "-s" -> p.src() == null ? Ternary.UNKNOWN : p.src().within(o.arg());
            case "-d" -> p.dst() == null ? Ternary.UNKNOWN : p.dst().within(o.arg());
            case "-i" -> iface(o.arg(), pk.in());
            case "-o" -> iface(o.arg(), pk.out());
            case "-p" -> Protocols.same(o.arg(), pk.proto(), p.proto());
            // filter sees defragmented packets wherever conntrack runs, and a known state says it does
            case "-f" -> pk.state() != null ? Ternary.FALSE : Ternary.UNKNOWN;
            default -> Ternary.UNKNOWN;
        };
        return t.negateIf(o.negated());
    }

    /** Kernel interface matching: exact name, or a prefix when the rule's name ends in {@code +}. */
    static Ternary iface(String rule, String name) {
        if (name == null || rule == null) {
            return Ternary.UNKNOWN;
        }
        if (rule.endsWith("+")) {
            return Ternary.of(name.regionMatches(0, rule, 0, rule.length() - 1));
        }
        return Ternary.of(rule.equals(name));
    }

    private static Ternary module(Match m, Probe p) {
        return switch (m.module()) {
            case "comment" -> Ternary.TRUE;
            case "tcp" -> transport(m, p, Protocols.TCP);
            case "udp" -> transport(m, p, Protocols.UDP);
            case "sctp" -> transport(m, p, Protocols.SCTP);
            case "udplite" -> transport(m, p, Protocols.UDPLITE);
            case "dccp" -> transport(m, p, Protocols.DCCP);
            case "multiport" -> each(m, p, Conditions::multiport);
            case "conntrack" -> each(m, p, (o, q) -> o.name().equals("--ctstate")
                    ? states(o, q.packet().state(), true) : Ternary.UNKNOWN);
            case "state" -> each(m, p, (o, q) -> o.name().equals("--state")
                    ? states(o, q.packet().state(), false) : Ternary.UNKNOWN);
            case "icmp" -> icmp(m, p, Protocols.ICMP, "--icmp-type");
            case "icmp6" -> icmp(m, p, Protocols.ICMPV6, "--icmpv6-type");
            case "iprange" -> each(m, p, Conditions::iprange);
            default -> Ternary.UNKNOWN; // limit, recent, mark, owner, set, addrtype, ...: not in a packet
        };
    }

    /** One option of a match against the packet. */
    private interface OptionTest {
        Ternary test(Opt o, Probe p);
    }

    private static Ternary each(Match m, Probe p, OptionTest test) {
        Ternary all = Ternary.TRUE;
        List<Opt> opts = m.options();
        for (int i = 0; i < opts.size(); i++) {
            Opt o = opts.get(i);
            Ternary t = test.test(o, p).negateIf(o.negated());
            if (t == Ternary.FALSE) {
                return t;
            }
            all = all.and(t);
        }
        return all;
    }

    /** tcp/udp/sctp/...: false for another protocol; ports decided, flags and chunks unknown. */
    private static Ternary transport(Match m, Probe p, int proto) {
        if (p.notProto(proto)) {
            return Ternary.FALSE;
        }
        return each(m, p, (o, q) -> switch (o.name()) {
            case "--sport", "--source-port" -> ports(o.arg(), q.packet().sport());
            case "--dport", "--destination-port" -> ports(o.arg(), q.packet().dport());
            case "--tcp-flags" -> flags(o, q.packet());
            default -> Ternary.UNKNOWN;
        });
    }

    /**
     * TCP flags, under the guard's model of a packet: a NEW tcp packet opens a connection (SYN alone), an
     * ESTABLISHED or RELATED one carries data or acknowledgements (ACK alone). Anything else is unknown.
     */
    static Ternary flags(Opt o, Packet p) {
        if (!"tcp".equals(p.proto()) || o.args().size() != 2 || p.state() == null) {
            return Ternary.UNKNOWN;
        }
        List<String> bits = List.of("FIN", "SYN", "RST", "PSH", "ACK", "URG");
        String set = switch (p.state()) {
            case "NEW" -> "SYN";
            case "ESTABLISHED", "RELATED" -> "ACK";
            default -> null;
        };
        if (set == null) {
            return Ternary.UNKNOWN;
        }
        List<String> mask = List.of(o.args().get(0).split(","));
        List<String> want = o.args().get(1).equals("NONE") ? List.of() : List.of(o.args().get(1).split(","));
        boolean match = true;
        for (String b : bits) {
            if (mask.contains(b) || mask.contains("ALL")) {
                match &= want.contains(b) == b.equals(set);
            }
        }
        return Ternary.of(match);
    }

    private static Ternary multiport(Opt o, Probe p) {
        Integer sport = p.packet().sport();
        Integer dport = p.packet().dport();
        return switch (o.name()) {
            case "--sports", "--source-ports" -> ports(o.arg(), sport);
            case "--dports", "--destination-ports" -> ports(o.arg(), dport);
            case "--ports" -> ports(o.arg(), sport).or(ports(o.arg(), dport));
            default -> Ternary.UNKNOWN;
        };
    }

    /** A port against {@code 22}, {@code 1000:2000} or a multiport list {@code 80,443,8000:8080}. */
    static Ternary ports(String spec, Integer port) {
        if (port == null || spec == null) {
            return Ternary.UNKNOWN;
        }
        try {
            int start = 0;
            while (start <= spec.length()) {
                int comma = spec.indexOf(',', start);
                int end = comma < 0 ? spec.length() : comma;
                int colon = spec.indexOf(':', start);
                int low;
                int high;
                if (colon >= 0 && colon < end) {
                    low = Integer.parseInt(spec, start, colon, 10);
                    high = Integer.parseInt(spec, colon + 1, end, 10);
                } else {
                    low = Integer.parseInt(spec, start, end, 10);
                    high = low;
                }
                if (port >= low && port <= high) {
                    return Ternary.TRUE;
                }
                start = end + 1;
            }
            return Ternary.FALSE;
        } catch (NumberFormatException e) {
            return Ternary.UNKNOWN; // not a canonical port list: we cannot say
        }
    }

    /**
     * A conntrack state list: {@code SNAT}/{@code DNAT} are not in a packet, so a state missing from
     * a list that names them is unknown rather than false.
     */
    static Ternary states(Opt o, String state, boolean natStates) {
        String list = o.arg();
        if (state == null || list == null) {
            return Ternary.UNKNOWN;
        }
        boolean nat = false;
        int start = 0;
        while (start <= list.length()) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            int len = end - start;
            if (len == state.length() && list.regionMatches(true, start, state, 0, len)) {
                return Ternary.TRUE;
            }
            nat |= natStates && (list.startsWith("SNAT", start) || list.startsWith("DNAT", start)) && len == 4;
            start = end + 1;
        }
        return nat ? Ternary.UNKNOWN : Ternary.FALSE;
    }

    /** The packet carries no ICMP type, so only "not ICMP at all" (false) or {@code any} (true) is known. */
    private static Ternary icmp(Match m, Probe p, int proto, String typeOption) {
        if (p.notProto(proto)) {
            return Ternary.FALSE;
        }
        return each(m, p, (o, q) -> o.name().equals(typeOption) && "any".equals(o.arg()) && q.proto() == proto
                ? Ternary.TRUE : Ternary.UNKNOWN);
    }

    private static Ternary iprange(Opt o, Probe p) {
        Address a = switch (o.name()) {
            case "--src-range" -> p.src();
            case "--dst-range" -> p.dst();
            default -> null;
        };
        return a == null || o.arg() == null ? Ternary.UNKNOWN : a.inRange(o.arg());
    }
}
