package dev.killswitch.agent.guard;

import java.util.Locale;
import java.util.Map;

/** Protocol names as iptables prints them (/etc/protocols and iptables' own aliases) and their numbers. */
final class Protocols {
    static final int UNSET = -2;
    static final int UNNAMED = -1;
    static final int ALL = 0;
    static final int ICMP = 1;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int DCCP = 33;
    static final int ICMPV6 = 58;
    static final int SCTP = 132;
    static final int UDPLITE = 136;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("all", 0), Map.entry("ip", 0), Map.entry("hopopt", 0), Map.entry("icmp", 1),
            Map.entry("igmp", 2), Map.entry("ggp", 3), Map.entry("ipencap", 4), Map.entry("st", 5),
            Map.entry("tcp", 6), Map.entry("egp", 8), Map.entry("igp", 9), Map.entry("pup", 12),
            Map.entry("udp", 17), Map.entry("hmp", 20), Map.entry("xns-idp", 22), Map.entry("rdp", 27),
            Map.entry("iso-tp4", 29), Map.entry("dccp", 33), Map.entry("xtp", 36), Map.entry("ddp", 37),
            Map.entry("idpr-cmtp", 38), Map.entry("ipv6", 41), Map.entry("ipv6-route", 43),
            Map.entry("ipv6-frag", 44), Map.entry("idrp", 45), Map.entry("rsvp", 46), Map.entry("gre", 47),
            Map.entry("esp", 50), Map.entry("ah", 51), Map.entry("skip", 57), Map.entry("ipv6-icmp", 58),
            Map.entry("icmpv6", 58), Map.entry("ipv6-nonxt", 59), Map.entry("ipv6-opts", 60),
            Map.entry("rspf", 73), Map.entry("vmtp", 81), Map.entry("eigrp", 88), Map.entry("ospf", 89),
            Map.entry("ax.25", 93), Map.entry("ipip", 94), Map.entry("etherip", 97), Map.entry("encap", 98),
            Map.entry("pim", 103), Map.entry("ipcomp", 108), Map.entry("vrrp", 112), Map.entry("l2tp", 115),
            Map.entry("isis", 124), Map.entry("sctp", 132), Map.entry("fc", 133),
            Map.entry("mobility-header", 135), Map.entry("ipv6-mh", 135), Map.entry("mh", 135),
            Map.entry("udplite", 136), Map.entry("mpls-in-ip", 137), Map.entry("manet", 138),
            Map.entry("hip", 139), Map.entry("shim6", 140), Map.entry("wesp", 141), Map.entry("rohc", 142),
            Map.entry("ethernet", 143));

    private Protocols() {
    }

    /** The protocol number of a name or decimal number, {@link #UNNAMED} for a name we do not know, {@link #UNSET} for null. */
    static int number(String proto) {
        if (proto == null) {
            return UNSET;
        }
        Integer n = NUMBERS.get(proto);
        if (n == null) {
            n = NUMBERS.get(proto.toLowerCase(Locale.ROOT));
        }
        if (n != null) {
            return n;
        }
        if (!proto.isEmpty() && proto.length() <= 3 && proto.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int v = Integer.parseInt(proto);
            return v <= 255 ? v : UNNAMED;
        }
        return UNNAMED;
    }

    /** {@code -p rule} against the packet's protocol name and number. */
    static Ternary same(String rule, String packetName, int packetNumber) {
        int r = number(rule);
        if (r == ALL) {
            return Ternary.TRUE;
        }
        if (packetNumber == UNSET) {
            return Ternary.UNKNOWN;
        }
        if (r >= 0 && packetNumber >= 0) {
            return Ternary.of(r == packetNumber);
        }
        // a name we cannot map: only equal spellings are known to be the same
        return rule != null && rule.equalsIgnoreCase(packetName) ? Ternary.TRUE : Ternary.UNKNOWN;
    }
}
