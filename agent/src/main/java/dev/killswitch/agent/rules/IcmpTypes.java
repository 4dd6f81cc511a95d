package dev.killswitch.agent.rules;

/** ICMP and ICMPv6 type names as the icmp and icmp6 matches read them (libxt_icmp.h), and how they print. */
final class IcmpTypes {

    /** name, type, code min, code max. */
    private record Entry(String name, int type, int codeMin, int codeMax) {
    }

    private static final Entry[] ICMP = {
        new Entry("any", 0xFF, 0, 0xFF),
        new Entry("echo-reply", 0, 0, 0xFF),
        new Entry("pong", 0, 0, 0xFF),
        new Entry("destination-unreachable", 3, 0, 0xFF),
        new Entry("network-unreachable", 3, 0, 0),
        new Entry("host-unreachable", 3, 1, 1),
        new Entry("protocol-unreachable", 3, 2, 2),
        new Entry("port-unreachable", 3, 3, 3),
        new Entry("fragmentation-needed", 3, 4, 4),
        new Entry("source-route-failed", 3, 5, 5),
        new Entry("network-unknown", 3, 6, 6),
        new Entry("host-unknown", 3, 7, 7),
        new Entry("network-prohibited", 3, 9, 9),
        new Entry("host-prohibited", 3, 10, 10),
        new Entry("TOS-network-unreachable", 3, 11, 11),
        new Entry("TOS-host-unreachable", 3, 12, 12),
        new Entry("communication-prohibited", 3, 13, 13),
        new Entry("host-precedence-violation", 3, 14, 14),
        new Entry("precedence-cutoff", 3, 15, 15),
        new Entry("source-quench", 4, 0, 0xFF),
        new Entry("redirect", 5, 0, 0xFF),
        new Entry("network-redirect", 5, 0, 0),
        new Entry("host-redirect", 5, 1, 1),
        new Entry("TOS-network-redirect", 5, 2, 2),
        new Entry("TOS-host-redirect", 5, 3, 3),
        new Entry("echo-request", 8, 0, 0xFF),
        new Entry("ping", 8, 0, 0xFF),
        new Entry("router-advertisement", 9, 0, 0xFF),
        new Entry("router-solicitation", 10, 0, 0xFF),
        new Entry("time-exceeded", 11, 0, 0xFF),
        new Entry("ttl-exceeded", 11, 0, 0xFF),
        new Entry("ttl-zero-during-transit", 11, 0, 0),
        new Entry("ttl-zero-during-reassembly", 11, 1, 1),
        new Entry("parameter-problem", 12, 0, 0xFF),
        new Entry("ip-header-bad", 12, 0, 0),
        new Entry("required-option-missing", 12, 1, 1),
        new Entry("timestamp-request", 13, 0, 0xFF),
        new Entry("timestamp-reply", 14, 0, 0xFF),
        new Entry("address-mask-request", 17, 0, 0xFF),
        new Entry("address-mask-reply", 18, 0, 0xFF),
    };

    private static final Entry[] ICMPV6 = {
        new Entry("destination-unreachable", 1, 0, 0xFF),
        new Entry("no-route", 1, 0, 0),
        new Entry("communication-prohibited", 1, 1, 1),
        new Entry("beyond-scope", 1, 2, 2),
        new Entry("address-unreachable", 1, 3, 3),
        new Entry("port-unreachable", 1, 4, 4),
        new Entry("failed-policy", 1, 5, 5),
        new Entry("reject-route", 1, 6, 6),
        new Entry("packet-too-big", 2, 0, 0xFF),
        new Entry("time-exceeded", 3, 0, 0xFF),
        new Entry("ttl-exceeded", 3, 0, 0xFF),
        new Entry("ttl-zero-during-transit", 3, 0, 0),
        new Entry("ttl-zero-during-reassembly", 3, 1, 1),
        new Entry("parameter-problem", 4, 0, 0xFF),
        new Entry("bad-header", 4, 0, 0),
        new Entry("unknown-header-type", 4, 1, 1),
        new Entry("unknown-option", 4, 2, 2),
        new Entry("echo-request", 128, 0, 0xFF),
        new Entry("ping", 128, 0, 0xFF),
        new Entry("echo-reply", 129, 0, 0xFF),
        new Entry("pong", 129, 0, 0xFF),
        new Entry("router-solicitation", 133, 0, 0xFF),
        new Entry("router-advertisement", 134, 0, 0xFF),
        new Entry("neighbour-solicitation", 135, 0, 0xFF),
        new Entry("neighbor-solicitation", 135, 0, 0xFF),
        new Entry("neighbour-advertisement", 136, 0, 0xFF),
        new Entry("neighbor-advertisement", 136, 0, 0xFF),
        new Entry("redirect", 137, 0, 0xFF),
    };

    private IcmpTypes() {
    }

    /**
     * The printed form of an {@code --icmp-type} / {@code --icmpv6-type} value, or null when unsure.
     * Names match case-insensitively by prefix, like the extension; an ambiguous prefix is an error.
     */
    static String canonical(String s, boolean v6, RuleContext ctx, String option) {
        Entry[] table = v6 ? ICMPV6 : ICMP;
        Entry found = null;
        for (Entry e : table) {
            if (Extension.prefixOf(s, e.name)) {
                if (found != null) {
                    throw ctx.error(option, "ambiguous ICMP type '" + s + "': '" + found.name + "' or '"
                            + e.name + "'");
                }
                found = e;
            }
        }
        int type;
        int codeMin;
        int codeMax;
        if (found != null && !s.isEmpty()) {
            type = found.type;
            codeMin = found.codeMin;
            codeMax = found.codeMax;
        } else {
            int slash = s.indexOf('/');
            String t = slash < 0 ? s : s.substring(0, slash);
            if (!Extension.allDigits(t) && !t.startsWith("0x")) {
                throw ctx.error(option, "unknown " + (v6 ? "ICMPv6" : "ICMP") + " type '" + s + "'");
            }
            long tv = Extension.number(t, 255, ctx, option);
            if (tv < 0) {
                return null;
            }
            type = (int) tv;
            if (slash < 0) {
                codeMin = 0;
                codeMax = 0xFF;
            } else {
                long cv = Extension.number(s.substring(slash + 1), 255, ctx, option);
                if (cv < 0) {
                    return null;
                }
                codeMin = codeMax = (int) cv;
            }
        }
        if (!v6 && type == 0xFF) {
            if (codeMin != 0 || codeMax != 0xFF) {
                ctx.unsure();
                return null;
            }
            return "any";
        }
        return codeMin == 0 && codeMax == 0xFF ? Integer.toString(type) : type + "/" + codeMin;
    }
}
