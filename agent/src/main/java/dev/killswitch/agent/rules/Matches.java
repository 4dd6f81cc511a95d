package dev.killswitch.agent.rules;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import static dev.killswitch.agent.rules.Extension.allDigits;
import static dev.killswitch.agent.rules.Extension.prefixOf;

/** The {@code -m} modules the builtin canonicaliser knows, each printing what iptables-save 1.8.9 (nft) prints. */
final class Matches {

    private static final Map<String, Extension> BY_NAME = new HashMap<>();

    static {
        for (Extension e : List.of(new Tcp(), new Udp(), new Sctp(), new Icmp(false), new Icmp(true), new Multiport(),
                new State(), new Conntrack(), new Comment(), new Limit(), new Mac(), new MarkMatch("mark"),
                new MarkMatch("connmark"), new AddrType(), new IpRange(), new PktType(), new Recent(),
                new HashLimit(), new ConnLimit(), new Owner(), new TtlLike("ttl", false), new TtlLike("hl", true),
                new Length(), new Statistic(), new Tos(), new Dscp(), new StringMatch(), new PhysDev(),
                new Helper(), new RpFilter(), new Time())) {
            BY_NAME.put(e.name, e);
        }
    }

    private Matches() {
    }

    /** The module of this name, or null when the builtin canonicaliser does not know it. */
    static Extension get(String name) {
        return BY_NAME.get(name);
    }

    /** Every module this class knows. */
    static java.util.Collection<Extension> all() {
        return BY_NAME.values();
    }

    /** The module iptables loads implicitly for {@code -p proto} when it meets one of its options. */
    static Extension implicitFor(int protocol, Family family) {
        return switch (protocol) {
            case 6 -> BY_NAME.get("tcp");
            case 17 -> BY_NAME.get("udp");
            case 132 -> BY_NAME.get("sctp");
            case 1 -> family == Family.IPV4 ? BY_NAME.get("icmp") : null;
            case 58 -> family == Family.IPV6 ? BY_NAME.get("icmp6") : null;
            default -> null;
        };
    }

    // ---------------------------------------------------------------- tcp, udp, sctp

    /**
     * --sport/--dport as iptables-nft prints them; null when the option vanishes. A {@code native} match
     * is translated to nft expressions (tcp without --tcp-option, udp): those keep no inverted range
     * starting at 0. Otherwise the xt match is kept and prints ports as given.
     */
    static Opt nftPort(Extension.Given g, int proto, boolean nativeMatch, RuleContext ctx) {
        int[] r = Ports.range(g.arg(), proto, ctx, g.spelling());
        if (r == null) {
            return Extension.opt(g, g.arg());
        }
        boolean full = r[0] == 0 && r[1] == 65535;
        if (full) {
            if (g.negated() && nativeMatch) {
                ctx.unsure(); // nft drops the whole match, changing its meaning
            }
            return null;
        }
        if (nativeMatch && g.negated() && r[0] == 0 && r[1] != 0) {
            // nft keeps no inverted range starting at 0: it stores the complement
            return Extension.opt(g.name(), false, Ports.format(r[1] + 1, 65535, ':'));
        }
        return Extension.opt(g, Ports.format(r[0], r[1], ':'));
    }

    private static final String[] TCP_FLAGS = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};

    static final class Tcp extends Extension {
        Tcp() {
            super("tcp");
            option(1, true, "--sport", "--source-port");
            option(1, true, "--dport", "--destination-port");
            option(2, true, "--tcp-flags");
            option(0, true, "--syn");
            option(1, true, "--tcp-option");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (ctx.protocol != 6 || ctx.protocolNegated) {
                ctx.unsure(); // the kernel refuses tcp without -p tcp
            }
            boolean nativeMatch = !given.has("--tcp-option");
            port(given.get("--sport"), nativeMatch, ctx, out);
            port(given.get("--dport"), nativeMatch, ctx, out);
            Given opt = given.get("--tcp-option");
            if (opt != null) {
                long v = number(opt.arg(), 255, ctx, opt.spelling());
                if (v == 0) {
                    throw ctx.error(opt.spelling(), "bad TCP option '" + opt.arg() + "'");
                }
                out.add(opt(opt, v < 0 ? opt.arg() : Long.toString(v)));
            }
            Given syn = given.get("--syn");
            Given flags = given.get("--tcp-flags");
            if (syn != null && flags != null) {
                throw ctx.error("--syn", "only one of --syn and --tcp-flags is allowed");
            }
            if (syn != null) {
                out.add(opt("--tcp-flags", syn.negated(), "FIN,SYN,RST,ACK", "SYN"));
            } else if (flags != null) {
                int mask = flags(flags.args().get(0).text(), ctx, flags.spelling());
                int comp = flags(flags.args().get(1).text(), ctx, flags.spelling());
                if (mask == 0 || (comp & ~mask) != 0) {
                    ctx.unsure(); // nft turns these into odd or empty matches
                }
                out.add(opt(flags, flagList(mask), flagList(comp)));
            }
        }

        private static void port(Given g, boolean nativeMatch, RuleContext ctx, List<Opt> out) {
            if (g != null) {
                Opt o = nftPort(g, 6, nativeMatch, ctx);
                if (o != null) {
                    out.add(o);
                }
            }
        }

        private static int flags(String s, RuleContext ctx, String option) {
            int bits = 0;
            for (String f : s.split(",", -1)) {
                if (f.equalsIgnoreCase("ALL")) {
                    bits |= 0x3f;
                } else if (f.equalsIgnoreCase("NONE")) {
                    continue;
                } else {
                    int i = 0;
                    while (i < TCP_FLAGS.length && !TCP_FLAGS[i].equalsIgnoreCase(f)) {
                        i++;
                    }
                    if (i == TCP_FLAGS.length) {
                        throw ctx.error(option, "unknown TCP flag '" + f + "'");
                    }
                    bits |= 1 << i;
                }
            }
            return bits;
        }

        private static String flagList(int bits) {
            return bits == 0 ? "NONE" : bitNames(bits, TCP_FLAGS);
        }
    }

    static final class Udp extends Extension {
        Udp() {
            super("udp");
            option(1, true, "--sport", "--source-port");
            option(1, true, "--dport", "--destination-port");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (ctx.protocol != 17 || ctx.protocolNegated) {
                ctx.unsure();
            }
            for (String n : new String[] {"--sport", "--dport"}) {
                Given g = given.get(n);
                if (g != null) {
                    Opt o = nftPort(g, 17, true, ctx);
                    if (o != null) {
                        out.add(o);
                    }
                }
            }
        }
    }

    static final class Sctp extends Extension {
        Sctp() {
            super("sctp");
            option(1, true, "--sport", "--source-port");
            option(1, true, "--dport", "--destination-port");
            option(2, true, "--chunk-types");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (ctx.protocol != 132 || ctx.protocolNegated || given.has("--chunk-types")) {
                ctx.unsure();
            }
            for (String n : new String[] {"--sport", "--dport"}) {
                Given g = given.get(n);
                if (g != null) {
                    int[] r = Ports.range(g.arg(), 132, ctx, g.spelling());
                    if (r == null || g.arg().startsWith(":") || g.arg().endsWith(":")
                            || (r[0] == 0 && r[1] == 65535)) {
                        ctx.unsure();
                        out.add(opt(g, g.arg()));
                    } else {
                        out.add(opt(g, Ports.format(r[0], r[1], ':')));
                    }
                }
            }
            Given c = given.get("--chunk-types");
            if (c != null) {
                out.add(opt(c, c.args().get(0).text(), c.args().get(1).text()));
            }
        }
    }

    // ---------------------------------------------------------------- icmp

    /** icmp (IPv4, -p icmp) and icmp6 (IPv6, -p ipv6-icmp): one type option each. */
    static final class Icmp extends Extension {
        private final boolean v6;
        private final String typeOption;

        Icmp(boolean v6) {
            super(v6 ? "icmp6" : "icmp");
            this.v6 = v6;
            this.typeOption = v6 ? "--icmpv6-type" : "--icmp-type";
            option(1, true, typeOption);
        }

        @Override
        boolean supports(Family family) {
            return (family == Family.IPV6) == v6;
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (ctx.protocol != (v6 ? 58 : 1) || ctx.protocolNegated) {
                ctx.unsure();
            }
            Given g = required(given, typeOption, ctx, "-m " + name);
            String v = IcmpTypes.canonical(g.arg(), v6, ctx, g.spelling());
            out.add(opt(g, v == null ? g.arg() : v));
        }
    }

    // ---------------------------------------------------------------- multiport

    static final class Multiport extends Extension {
        Multiport() {
            super("multiport");
            option(1, true, "--sports", "--source-ports");
            option(1, true, "--dports", "--destination-ports");
            option(1, true, "--ports");
            abbreviation("--sports", "--sport");
            abbreviation("--dports", "--dport");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                if (given.isEmpty()) {
                    throw ctx.error("-m multiport", "multiport needs one of --sports, --dports, --ports");
                }
                throw ctx.error("-m multiport", "multiport takes only one of --sports, --dports, --ports");
            }
            Given g = given.list.get(0);
            int p = g.protocol();
            if (p != 6 && p != 17 && p != 132 && p != 136 && p != 33) {
                throw ctx.error(g.spelling(), "multiport needs -p tcp, udp, udplite, sctp or dccp before it");
            }
            int servicesFor = p == 6 || p == 17 || p == 132 ? p : -1;
            StringBuilder sb = new StringBuilder();
            int count = 0;
            for (String item : g.arg().split(",", -1)) {
                int colon = item.indexOf(':');
                if (sb.length() > 0) {
                    sb.append(',');
                }
                if (colon < 0) {
                    int v = port(item, servicesFor, ctx, g.spelling());
                    if (v < 0) {
                        out.add(opt(g, g.arg()));
                        return;
                    }
                    sb.append(v);
                    count++;
                } else {
                    int lo = port(item.substring(0, colon), servicesFor, ctx, g.spelling());
                    int hi = port(item.substring(colon + 1), servicesFor, ctx, g.spelling());
                    if (lo < 0 || hi < 0) {
                        out.add(opt(g, g.arg()));
                        return;
                    }
                    if (lo >= hi) {
                        throw ctx.error(g.spelling(), "invalid port range '" + item + "'");
                    }
                    sb.append(lo).append(':').append(hi);
                    count += 2;
                }
            }
            if (count > 15) {
                throw ctx.error(g.spelling(), "too many ports specified (at most 15, a range counts as 2)");
            }
            out.add(opt(g, sb.toString()));
        }

        private static int port(String s, int proto, RuleContext ctx, String option) {
            if (s.isEmpty()) {
                throw ctx.error(option, "invalid port/service ''");
            }
            if (proto < 0 && !allDigits(s)) {
                ctx.unsure();
                return -1;
            }
            return Ports.port(s, proto < 0 ? 0 : proto, ctx, option);
        }
    }

    // ---------------------------------------------------------------- state, conntrack

    private static final String[] STATE_PARSE = {"INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT"};
    private static final int[] STATE_BIT = {1, 2, 8, 4, 16, 32, 64};
    private static final String[] STATE_PRINT = {"INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"};

    static int states(String s, int names, RuleContext ctx, String option) {
        int mask = 0;
        for (String item : s.split(",", -1)) {
            int i = 0;
            while (i < names && !(item.length() > 0 && prefixOf(item, STATE_PARSE[i]))) {
                i++;
            }
            if (i == names) {
                throw ctx.error(option, "bad state '" + item + "'");
            }
            mask |= STATE_BIT[i];
        }
        return mask;
    }

    static String stateList(int mask) {
        return Extension.bitNames(mask, STATE_PRINT);
    }

    static final class State extends Extension {
        State() {
            super("state");
            option(1, true, "--state");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--state", ctx, "-m state");
            out.add(opt(g, stateList(states(g.arg(), 5, ctx, g.spelling()))));
        }
    }

    private static final String[] STATUS_PARSE = {"NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"};
    private static final String[] STATUS_PRINT = {"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"};

    static final class Conntrack extends Extension {
        private static final String[] ORDER = {"--ctstate", "--ctproto", "--ctorigsrc", "--ctorigdst", "--ctreplsrc",
            "--ctrepldst", "--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport", "--ctstatus",
            "--ctexpire", "--ctdir"};

        Conntrack() {
            super("conntrack");
            for (String o : ORDER) {
                option(1, !o.equals("--ctdir"), o);
            }
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            for (String n : ORDER) {
                Given g = given.get(n);
                if (g == null) {
                    continue;
                }
                String v = g.arg();
                String sp = g.spelling();
                String r = switch (n) {
                    case "--ctstate" -> stateList(states(v, 7, ctx, sp));
                    case "--ctproto" -> {
                        int p = BuiltinCanonicalizer.protocolNumber(v, ctx, sp);
                        if (p <= 0) {
                            ctx.unsure();
                            yield v;
                        }
                        yield Integer.toString(p);
                    }
                    case "--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst" -> {
                        if (v.indexOf(',') >= 0) {
                            throw ctx.error(sp, "only one address is allowed");
                        }
                        String a = Inet.moduleAddress(v, ctx.ipv6(), ctx, sp);
                        yield a == null ? v : a;
                    }
                    case "--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport" -> {
                        int colon = v.indexOf(':');
                        int lo = Ports.port(colon < 0 ? v : v.substring(0, colon), 0, ctx, sp);
                        int hi = colon < 0 ? lo : Ports.port(v.substring(colon + 1), 0, ctx, sp);
                        if (lo < 0 || hi < 0) {
                            yield v;
                        }
                        if (lo > hi) {
                            ctx.unsure();
                        }
                        yield Ports.format(lo, hi, ':');
                    }
                    case "--ctstatus" -> status(v, ctx, sp);
                    case "--ctexpire" -> {
                        int colon = v.indexOf(':');
                        long lo = number(colon < 0 ? v : v.substring(0, colon), 0xffffffffL, ctx, sp);
                        long hi = colon < 0 ? lo : number(v.substring(colon + 1), 0xffffffffL, ctx, sp);
                        if (lo < 0 || hi < 0 || lo > hi) {
                            ctx.unsure();
                            yield v;
                        }
                        yield lo == hi ? Long.toString(lo) : lo + ":" + hi;
                    }
                    default -> {
                        if (v.equalsIgnoreCase("ORIGINAL")) {
                            yield "ORIGINAL";
                        }
                        if (v.equalsIgnoreCase("REPLY")) {
                            yield "REPLY";
                        }
                        throw ctx.error(sp, "bad direction '" + v + "' (ORIGINAL or REPLY)");
                    }
                };
                out.add(opt(g, r));
            }
        }

        private static String status(String v, RuleContext ctx, String option) {
            int mask = 0;
            for (String item : v.split(",", -1)) {
                int i = 0;
                while (i < STATUS_PARSE.length && !(item.length() > 0 && prefixOf(item, STATUS_PARSE[i]))) {
                    i++;
                }
                if (i == STATUS_PARSE.length) {
                    throw ctx.error(option, "bad status '" + item + "'");
                }
                mask |= i == 0 ? 0 : 1 << (i - 1);
            }
            return mask == 0 ? "NONE" : bitNames(mask, STATUS_PRINT);
        }
    }

    // ---------------------------------------------------------------- comment, limit, mac, mark

    /** Truncates to {@code max} bytes of UTF-8, as the kernel stores it; unsure when that cuts a character. */
    static String truncate(String v, int max, RuleContext ctx) {
        byte[] b = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length <= max) {
            return v;
        }
        if ((b[max] & 0xC0) == 0x80) {
            ctx.unsure(); // the cut falls inside a character: the kernel keeps half of it
            return v;
        }
        return new String(b, 0, max, java.nio.charset.StandardCharsets.UTF_8);
    }

    static final class Comment extends Extension {
        Comment() {
            super("comment");
            option(1, false, "--comment");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--comment", ctx, "-m comment");
            out.add(opt(g, Quoting.saveString(truncate(g.arg(), 255, ctx))));
        }
    }

    private static final String[] RATE_UNITS = {"second", "minute", "hour", "day"};
    private static final long[] RATE_MULT = {1, 60, 3600, 86400};
    private static final String[] RATE_NAMES = {"day", "hour", "min", "sec"};

    /** Reads {@code N[/unit]} into a period in units of 1/scale second; returns -1 when unsure. */
    static long rate(String s, long scale, RuleContext ctx, String option) {
        int slash = s.indexOf('/');
        String num = slash < 0 ? s : s.substring(0, slash);
        long mult = 1;
        if (slash >= 0) {
            String unit = s.substring(slash + 1);
            int i = 0;
            while (i < RATE_UNITS.length && !(unit.length() > 0 && prefixOf(unit, RATE_UNITS[i]))) {
                i++;
            }
            if (i == RATE_UNITS.length) {
                throw ctx.error(option, "bad rate '" + s + "'");
            }
            mult = RATE_MULT[i];
        }
        long r = Inet.decimal(num, 1L << 40);
        if (r <= 0) {
            if (allDigits(num)) {
                if (r == 0 || Long.parseLong(num.substring(0, Math.min(num.length(), 15))) == 0) {
                    throw ctx.error(option, "bad rate '" + s + "'");
                }
                ctx.unsure();
                return -1;
            }
            throw ctx.error(option, "bad rate '" + s + "'");
        }
        long period = scale * mult / r;
        if (period == 0) {
            throw ctx.error(option, "rate too fast '" + s + "'");
        }
        return period;
    }

    /** The multiplier of the unit given, for defaults that depend on it (hashlimit expiry). */
    static long rateUnit(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return 1;
        }
        String unit = s.substring(slash + 1);
        for (int i = 0; i < RATE_UNITS.length; i++) {
            if (prefixOf(unit, RATE_UNITS[i])) {
                return RATE_MULT[i];
            }
        }
        return 1;
    }

    /** print_rate: the largest unit that still shows the period exactly enough. */
    static String printRate(long period, long scale) {
        int u = printUnit(period, scale);
        return (scale * RATE_MULT_BY_UNIT[u] / period) + "/" + RATE_NAMES[u];
    }

    /** The unit printRate picks, as milliseconds per unit (hashlimit's "quantum"). */
    static long printRateQuantum(long period, long scale) {
        return RATE_MULT_BY_UNIT[printUnit(period, scale)] * 1000;
    }

    /** Seconds per day, hour, minute, second: the order print_rate tries them. */
    private static final long[] RATE_MULT_BY_UNIT = {86400, 3600, 60, 1};

    private static int printUnit(long period, long scale) {
        int i = 1;
        for (; i < RATE_MULT_BY_UNIT.length; i++) {
            long mult = scale * RATE_MULT_BY_UNIT[i];
            if (period > mult || mult / period < mult % period) {
                break;
            }
        }
        return i - 1;
    }

    static final class Limit extends Extension {
        Limit() {
            super("limit");
            option(1, false, "--limit");
            option(1, false, "--limit-burst");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given l = given.get("--limit");
            String rate = "3/hour";
            if (l != null) {
                long period = rate(l.arg(), 10000, ctx, l.spelling());
                rate = period < 0 ? l.arg() : printRate(period, 10000);
            }
            out.add(opt("--limit", false, rate));
            Given b = given.get("--limit-burst");
            if (b != null) {
                long v = number(b.arg(), 10000, ctx, b.spelling());
                if (v == 0) {
                    ctx.unsure();
                }
                if (v != 5) {
                    out.add(opt(b, v < 0 ? b.arg() : Long.toString(v)));
                }
            }
        }
    }

    static final class Mac extends Extension {
        Mac() {
            super("mac");
            option(1, true, "--mac-source");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--mac-source", ctx, "-m mac");
            String[] parts = g.arg().split(":", -1);
            StringBuilder sb = new StringBuilder(17);
            if (parts.length != 6) {
                throw ctx.error(g.spelling(), "invalid MAC address '" + g.arg() + "'");
            }
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 2 || Inet.hex(p.charAt(0)) < 0
                        || (p.length() == 2 && Inet.hex(p.charAt(1)) < 0)) {
                    throw ctx.error(g.spelling(), "invalid MAC address '" + g.arg() + "'");
                }
                if (sb.length() > 0) {
                    sb.append(':');
                }
                sb.append(p.length() == 1 ? "0" : "").append(p.toLowerCase(java.util.Locale.ROOT));
            }
            out.add(opt(g, sb.toString()));
        }
    }

    /** mark and connmark: {@code --mark value[/mask]} printed in hex, the mask only when not all ones. */
    static final class MarkMatch extends Extension {
        MarkMatch(String name) {
            super(name);
            option(1, true, "--mark");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--mark", ctx, "-m " + name);
            long[] vm = valueMask(g.arg(), 0xffffffffL, ctx, g.spelling());
            if (vm == null) {
                out.add(opt(g, g.arg()));
                return;
            }
            out.add(opt(g, hex(vm[0]) + (vm[1] == 0xffffffffL ? "" : "/" + hex(vm[1]))));
        }
    }

    // ---------------------------------------------------------------- addrtype, iprange, pkttype

    private static final String[] ADDR_TYPES = {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
        "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};

    /** UNSPEC, UNICAST, LOCAL, ANYCAST, MULTICAST, UNREACHABLE: what the kernel matches for IPv6. */
    private static final int V6_ADDR_TYPES = 1 | 2 | 4 | 16 | 32 | 128;

    static final class AddrType extends Extension {
        AddrType() {
            super("addrtype");
            option(1, true, "--src-type");
            option(1, true, "--dst-type");
            option(0, false, "--limit-iface-in");
            option(0, false, "--limit-iface-out");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            for (String n : new String[] {"--src-type", "--dst-type"}) {
                Given g = given.get(n);
                if (g != null) {
                    int mask = 0;
                    for (String t : g.arg().split(",", -1)) {
                        int i = 0;
                        while (i < ADDR_TYPES.length && !ADDR_TYPES[i].equalsIgnoreCase(t)) {
                            i++;
                        }
                        if (i == ADDR_TYPES.length) {
                            ctx.unsure(); // iptables also takes prefixes; leave odd spellings to the kernel
                            mask = -1;
                            break;
                        }
                        mask |= 1 << i;
                    }
                    if (ctx.ipv6() && mask > 0 && (mask & ~V6_ADDR_TYPES) != 0) {
                        throw ctx.error(g.spelling(), "IPv6 cannot match address types BROADCAST, BLACKHOLE, "
                                + "PROHIBIT, THROW, NAT or XRESOLVE");
                    }
                    if (mask < 0) {
                        out.add(opt(g, g.arg()));
                        continue;
                    }
                    out.add(opt(g, bitNames(mask, ADDR_TYPES)));
                }
            }
            if (given.has("--limit-iface-in") && given.has("--limit-iface-out")) {
                throw ctx.error("--limit-iface-in", "--limit-iface-in and --limit-iface-out are exclusive");
            }
            for (String n : new String[] {"--limit-iface-in", "--limit-iface-out"}) {
                if (given.has(n)) {
                    out.add(opt(n, false));
                }
            }
        }
    }

    static final class IpRange extends Extension {
        IpRange() {
            super("iprange");
            option(1, true, "--src-range");
            option(1, true, "--dst-range");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            for (String n : new String[] {"--src-range", "--dst-range"}) {
                Given g = given.get(n);
                if (g != null) {
                    String v = g.arg();
                    int dash = v.indexOf('-');
                    String lo = Inet.plainAddress(dash < 0 ? v : v.substring(0, dash), ctx.ipv6(), ctx, g.spelling());
                    String hi = dash < 0 ? lo : Inet.plainAddress(v.substring(dash + 1), ctx.ipv6(), ctx, g.spelling());
                    out.add(opt(g, lo == null || hi == null ? v : lo + "-" + hi));
                }
            }
        }
    }

    static final class PktType extends Extension {
        PktType() {
            super("pkttype");
            option(1, true, "--pkt-type");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--pkt-type", ctx, "-m pkttype");
            String v = g.arg().toLowerCase(java.util.Locale.ROOT);
            String r = switch (v) {
                case "unicast", "host" -> "unicast";
                case "broadcast", "multicast", "otherhost" -> v;
                default -> throw ctx.error(g.spelling(), "bad packet type '" + g.arg() + "'");
            };
            out.add(opt(g, r));
        }
    }

    // ---------------------------------------------------------------- recent, hashlimit, connlimit

    /** A name printed with plain %s: it reads back the same only without blanks, quotes or backslashes. */
    static String rawName(String v, RuleContext ctx) {
        boolean safe = !v.isEmpty();
        for (int i = 0; i < v.length() && safe; i++) {
            char c = v.charAt(i);
            safe = c > ' ' && c != '"' && c != '\\' && c != '\'' && c < 0x7f;
        }
        if (!safe) {
            ctx.unsure();
        }
        return v;
    }

    static final class Recent extends Extension {
        Recent() {
            super("recent");
            for (String c : new String[] {"--set", "--rcheck", "--update", "--remove"}) {
                option(0, true, c);
            }
            option(1, false, "--seconds");
            option(0, false, "--reap");
            option(1, false, "--hitcount");
            option(0, false, "--rttl");
            option(1, false, "--name");
            option(1, false, "--mask");
            option(0, false, "--rsource");
            option(0, false, "--rdest");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given cmd = null;
            for (String c : new String[] {"--set", "--rcheck", "--update", "--remove"}) {
                Given g = given.get(c);
                if (g != null) {
                    if (cmd != null) {
                        throw ctx.error(c, "recent: only one of --set, --rcheck, --update, --remove");
                    }
                    cmd = g;
                }
            }
            if (cmd == null) {
                throw ctx.error("-m recent", "recent needs one of --set, --rcheck, --update, --remove");
            }
            out.add(opt(cmd));
            Given seconds = given.get("--seconds");
            if (seconds != null) {
                out.add(decimal(seconds, 0xffffffffL, ctx));
            }
            if (given.has("--reap")) {
                if (seconds == null) {
                    throw ctx.error("--reap", "recent: --reap needs --seconds");
                }
                out.add(opt("--reap", false));
            }
            Given hit = given.get("--hitcount");
            if (hit != null) {
                out.add(decimal(hit, 0xffffffffL, ctx));
            }
            if (given.has("--rttl")) {
                out.add(opt("--rttl", false));
            }
            Given name = given.get("--name");
            out.add(opt("--name", false, name == null ? "DEFAULT" : rawName(name.arg(), ctx)));
            Given mask = given.get("--mask");
            String m;
            if (mask == null) {
                m = ctx.ipv6() ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" : "255.255.255.255";
            } else {
                m = Inet.plainAddress(mask.arg(), ctx.ipv6(), ctx, mask.spelling());
                if (m == null) {
                    m = mask.arg();
                }
            }
            out.add(opt("--mask", false, m));
            if (given.has("--rsource") && given.has("--rdest")) {
                throw ctx.error("--rdest", "recent: --rsource and --rdest are exclusive");
            }
            out.add(opt(given.has("--rdest") ? "--rdest" : "--rsource", false));
        }
    }

    static final class HashLimit extends Extension {
        private static final long SCALE = 1000000;
        private static final String[] HASH_MODES = {"srcip", "srcport", "dstip", "dstport"};

        HashLimit() {
            super("hashlimit");
            option(1, true, "--hashlimit-upto", "--hashlimit");
            option(1, true, "--hashlimit-above");
            option(1, false, "--hashlimit-srcmask");
            option(1, false, "--hashlimit-dstmask");
            option(1, false, "--hashlimit-burst");
            option(1, false, "--hashlimit-htable-size");
            option(1, false, "--hashlimit-htable-max");
            option(1, false, "--hashlimit-htable-gcinterval");
            option(1, false, "--hashlimit-htable-expire");
            option(1, false, "--hashlimit-mode");
            option(1, false, "--hashlimit-name");
            option(0, false, "--hashlimit-rate-match");
            option(1, false, "--hashlimit-rate-interval");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given r = exactlyOne(given, ctx, "-m hashlimit", "--hashlimit-upto", "--hashlimit-above");
            Given name = required(given, "--hashlimit-name", ctx, "-m hashlimit");
            if (given.has("--hashlimit-rate-match") || given.has("--hashlimit-rate-interval")) {
                ctx.unsure();
            }
            boolean isAbove = r.name().equals("--hashlimit-above") ^ r.negated();
            if (r.arg().contains("b/s")) {
                ctx.unsure(); // byte mode: leave to the kernel
                for (Given g : given.list) {
                    out.add(g.args().isEmpty() ? opt(g) : opt(g, g.arg()));
                }
                return;
            }
            long period = rate(r.arg(), SCALE, ctx, r.spelling());
            out.add(opt(isAbove ? "--hashlimit-above" : "--hashlimit-upto", false,
                    period < 0 ? r.arg() : printRate(period, SCALE)));
            Given burst = given.get("--hashlimit-burst");
            long b = 5;
            if (burst != null) {
                b = number(burst.arg(), 1000000, ctx, burst.spelling());
                if (b == 0) {
                    throw ctx.error(burst.spelling(), "bad --hashlimit-burst '" + burst.arg() + "' (1-1000000)");
                }
            }
            out.add(opt("--hashlimit-burst", false, b < 0 ? burst.arg() : Long.toString(b)));
            Given mode = given.get("--hashlimit-mode");
            if (mode != null) {
                int bits = 0;
                for (String t : mode.arg().split("[,|]")) {
                    if (t.isEmpty()) {
                        continue;
                    }
                    bits |= switch (t) {
                        case "srcip" -> 1;
                        case "srcport" -> 2;
                        case "dstip" -> 4;
                        case "dstport" -> 8;
                        default -> throw ctx.error(mode.spelling(), "bad --hashlimit-mode '" + mode.arg() + "'");
                    };
                }
                if (bits != 0) {
                    out.add(opt("--hashlimit-mode", false, bitNames(bits, HASH_MODES)));
                }
            }
            if (name.arg().isEmpty() || name.arg().length() > 15) {
                throw ctx.error(name.spelling(), "hashlimit name must be 1-15 characters");
            }
            out.add(opt("--hashlimit-name", false, rawName(name.arg(), ctx)));
            nonDefault(given.get("--hashlimit-htable-size"), 0, ctx, out);
            nonDefault(given.get("--hashlimit-htable-max"), 0, ctx, out);
            nonDefault(given.get("--hashlimit-htable-gcinterval"), 1000, ctx, out);
            long quantum = period < 0 ? -1 : printRateQuantum(period, SCALE);
            Given expire = given.get("--hashlimit-htable-expire");
            if (expire == null) {
                long dflt = rateUnit(r.arg()) * 1000;
                if (quantum >= 0 && dflt != quantum) {
                    out.add(opt("--hashlimit-htable-expire", false, Long.toString(dflt)));
                }
            } else {
                nonDefault(expire, quantum, ctx, out);
            }
            int full = ctx.ipv6() ? 128 : 32;
            for (String n : new String[] {"--hashlimit-srcmask", "--hashlimit-dstmask"}) {
                Given g = given.get(n);
                if (g != null) {
                    long v = number(g.arg(), full, ctx, g.spelling());
                    if (v != full) {
                        out.add(opt(n, false, v < 0 ? g.arg() : Long.toString(v)));
                    }
                }
            }
            if (given.has("--hashlimit-rate-match")) {
                out.add(opt("--hashlimit-rate-match", false));
            }
            Given interval = given.get("--hashlimit-rate-interval");
            if (interval != null) {
                out.add(opt(interval, interval.arg()));
            }
        }

        private static void nonDefault(Given g, long dflt, RuleContext ctx, List<Opt> out) {
            if (g == null) {
                return;
            }
            long v = number(g.arg(), 0xffffffffL, ctx, g.spelling());
            if (v < 0) {
                out.add(opt(g, g.arg()));
            } else if (v != dflt) {
                out.add(opt(g, Long.toString(v)));
            }
        }
    }

    static final class ConnLimit extends Extension {
        ConnLimit() {
            super("connlimit");
            option(1, true, "--connlimit-upto");
            option(1, true, "--connlimit-above");
            option(1, false, "--connlimit-mask");
            option(0, false, "--connlimit-saddr");
            option(0, false, "--connlimit-daddr");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = exactlyOne(given, ctx, "-m connlimit", "--connlimit-upto", "--connlimit-above");
            boolean isAbove = g.name().equals("--connlimit-above") ^ g.negated();
            long v = number(g.arg(), 0xffffffffL, ctx, g.spelling());
            out.add(opt(isAbove ? "--connlimit-above" : "--connlimit-upto", false, v < 0 ? g.arg() : Long.toString(v)));
            int full = ctx.ipv6() ? 128 : 32;
            Given mask = given.get("--connlimit-mask");
            long m = full;
            if (mask != null) {
                m = number(mask.arg(), full, ctx, mask.spelling());
            }
            out.add(opt("--connlimit-mask", false, m < 0 ? mask.arg() : Long.toString(m)));
            if (given.has("--connlimit-saddr") && given.has("--connlimit-daddr")) {
                throw ctx.error("--connlimit-daddr", "connlimit: --connlimit-saddr and --connlimit-daddr are exclusive");
            }
            out.add(opt(given.has("--connlimit-daddr") ? "--connlimit-daddr" : "--connlimit-saddr", false));
        }
    }

    // ---------------------------------------------------------------- owner, ttl/hl, length, statistic

    static final class Owner extends Extension {
        Owner() {
            super("owner");
            option(0, true, "--socket-exists");
            option(1, true, "--uid-owner");
            option(1, true, "--gid-owner");
            option(0, false, "--suppl-groups");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.has("--socket-exists")) {
                out.add(opt(given.get("--socket-exists")));
            }
            for (String n : new String[] {"--uid-owner", "--gid-owner"}) {
                Given g = given.get(n);
                if (g != null) {
                    out.add(opt(g, id(g.arg(), ctx, g.spelling())));
                }
            }
            if (given.has("--suppl-groups")) {
                if (!given.has("--gid-owner")
                        || given.list.indexOf(given.get("--suppl-groups")) < given.list.indexOf(given.get("--gid-owner"))) {
                    throw ctx.error("--suppl-groups", "owner: --suppl-groups needs --gid-owner before it");
                }
                out.add(opt("--suppl-groups", false));
            }
        }

        private static String id(String v, RuleContext ctx, String option) {
            if (v.equals("root")) {
                return "0"; // the one name that is the same everywhere
            }
            int dash = v.indexOf('-');
            String a = dash < 0 ? v : v.substring(0, dash);
            String b = dash < 0 ? v : v.substring(dash + 1);
            if (!allDigits(a) || !allDigits(b)) {
                ctx.unsure(); // a user or group name: only the gateway knows its id
                return v;
            }
            long lo = number(a, 0xfffffffeL, ctx, option);
            long hi = number(b, 0xfffffffeL, ctx, option);
            if (lo < 0 || hi < 0) {
                return v;
            }
            if (lo > hi) {
                throw ctx.error(option, "bad id range '" + v + "'");
            }
            return lo == hi ? Long.toString(lo) : lo + "-" + hi;
        }
    }

    /** ttl (IPv4) and hl (IPv6): exactly one of -eq, -lt, -gt; only -eq may be negated. */
    static final class TtlLike extends Extension {
        private final boolean v6;

        TtlLike(String name, boolean v6) {
            super(name);
            this.v6 = v6;
            option(1, true, "--" + name + "-eq");
            option(1, false, "--" + name + "-lt");
            option(1, false, "--" + name + "-gt");
        }

        @Override
        boolean supports(Family family) {
            return (family == Family.IPV6) == v6;
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                throw ctx.error("-m " + name, name + " needs exactly one of --" + name + "-eq, -lt, -gt");
            }
            Given g = given.list.get(0);
            out.add(decimal(g, 255, ctx));
        }
    }

    static final class Length extends Extension {
        Length() {
            super("length");
            option(1, true, "--length");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--length", ctx, "-m length");
            String v = g.arg();
            int colon = v.indexOf(':');
            long lo;
            long hi;
            if (colon < 0) {
                lo = hi = number(v, 65535, ctx, g.spelling());
            } else {
                lo = colon == 0 ? 0 : number(v.substring(0, colon), 65535, ctx, g.spelling());
                hi = colon == v.length() - 1 ? 65535 : number(v.substring(colon + 1), 65535, ctx, g.spelling());
            }
            if (lo < 0 || hi < 0) {
                out.add(opt(g, v));
                return;
            }
            if (lo > hi) {
                throw ctx.error(g.spelling(), "bad length range '" + v + "' (min > max)");
            }
            out.add(opt(g, lo == hi ? Long.toString(lo) : lo + ":" + hi));
        }
    }

    static final class Statistic extends Extension {
        Statistic() {
            super("statistic");
            option(1, false, "--mode");
            option(1, true, "--probability");
            option(1, true, "--every");
            option(1, false, "--packet");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given mode = required(given, "--mode", ctx, "-m statistic");
            if (mode.arg().equals("random")) {
                Given p = given.get("--probability");
                if (p == null || given.has("--every") || given.has("--packet")) {
                    throw ctx.error("--mode", "statistic: --mode random takes --probability only");
                }
                out.add(opt("--mode", false, "random"));
                out.add(opt(p, probability(p.arg(), ctx, p.spelling())));
            } else if (mode.arg().equals("nth")) {
                Given every = given.get("--every");
                Given packet = given.get("--packet");
                if (every == null || packet == null || given.has("--probability")) {
                    throw ctx.error("--mode", "statistic: --mode nth takes --every and --packet");
                }
                long e = number(every.arg(), 0xffffffffL, ctx, every.spelling());
                long pk = number(packet.arg(), 0xffffffffL, ctx, packet.spelling());
                if (e == 0 || (e > 0 && pk >= e)) {
                    throw ctx.error("--packet", "statistic: --packet must be below --every");
                }
                out.add(opt("--mode", false, "nth"));
                out.add(opt(every, e < 0 ? every.arg() : Long.toString(e)));
                out.add(opt(packet, pk < 0 ? packet.arg() : Long.toString(pk)));
            } else {
                throw ctx.error("--mode", "statistic: bad mode '" + mode.arg() + "' (random or nth)");
            }
        }

        private static String probability(String v, RuleContext ctx, String option) {
            if (!v.matches("[0-9]*\\.?[0-9]+|[0-9]+\\.")) {
                ctx.unsure();
                return v;
            }
            double d = Double.parseDouble(v);
            if (d < 0 || d > 1) {
                throw ctx.error(option, "probability '" + v + "' is not between 0 and 1");
            }
            long stored = Math.round(d * 0x80000000L);
            // exact decimal expansion of the stored binary value, rounded like printf("%.11f")
            return new BigDecimal((double) stored / 0x80000000L).setScale(11, RoundingMode.HALF_EVEN).toPlainString();
        }
    }

    // ---------------------------------------------------------------- tos, dscp

    static final String[][] TOS_NAMES = {{"Minimize-Delay", "16"}, {"Maximize-Throughput", "8"},
        {"Maximize-Reliability", "4"}, {"Minimize-Cost", "2"}, {"Normal-Service", "0"}};

    /** A TOS value as the tos match and TOS target read it: {value, mask}; null when unsure. */
    static int[] tos(String v, RuleContext ctx, String option) {
        for (String[] n : TOS_NAMES) {
            if (n[0].equalsIgnoreCase(v)) {
                return new int[] {Integer.parseInt(n[1]), 0x3f};
            }
        }
        long[] vm = Extension.valueMask(v, 0xff, ctx, option);
        if (vm == null) {
            return null;
        }
        if (vm[0] > 255 || vm[1] > 255) {
            throw ctx.error(option, "bad TOS value '" + v + "'");
        }
        return new int[] {(int) vm[0], (int) vm[1]};
    }

    static final class Tos extends Extension {
        Tos() {
            super("tos");
            option(1, true, "--tos");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--tos", ctx, "-m tos");
            int[] t = tos(g.arg(), ctx, g.spelling());
            out.add(opt(g, t == null ? g.arg() : hex2(t[0]) + "/" + hex2(t[1])));
        }
    }

    private static final String[] DSCP_CLASSES = {"CS0:0", "CS1:8", "CS2:16", "CS3:24", "CS4:32", "CS5:40", "CS6:48",
        "CS7:56", "BE:0", "AF11:10", "AF12:12", "AF13:14", "AF21:18", "AF22:20", "AF23:22", "AF31:26", "AF32:28",
        "AF33:30", "AF41:34", "AF42:36", "AF43:38", "EF:46"};

    /** A DSCP value or class name as {@code 0x%02x}; null when unsure. */
    static String dscp(String v, boolean isClass, RuleContext ctx, String option) {
        if (isClass) {
            for (String c : DSCP_CLASSES) {
                int colon = c.indexOf(':');
                if (c.substring(0, colon).equalsIgnoreCase(v)) {
                    return Extension.hex2(Integer.parseInt(c.substring(colon + 1)));
                }
            }
            throw ctx.error(option, "unknown DSCP class '" + v + "'");
        }
        long d = Extension.number(v, 63, ctx, option);
        return d < 0 ? null : Extension.hex2((int) d);
    }

    static final class Dscp extends Extension {
        Dscp() {
            super("dscp");
            option(1, true, "--dscp");
            option(1, true, "--dscp-class");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                throw ctx.error("-m dscp", "dscp needs exactly one of --dscp, --dscp-class");
            }
            Given g = given.list.get(0);
            String v = dscp(g.arg(), g.name().equals("--dscp-class"), ctx, g.spelling());
            out.add(opt("--dscp", g.negated(), v == null ? g.arg() : v));
        }
    }

    // ---------------------------------------------------------------- string, physdev, helper, rpfilter

    static final class StringMatch extends Extension {
        StringMatch() {
            super("string");
            option(1, true, "--string");
            option(1, true, "--hex-string");
            option(1, false, "--algo");
            option(1, false, "--from");
            option(1, false, "--to");
            option(0, false, "--icase");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given s = given.get("--string");
            Given algo = given.get("--algo");
            if (given.has("--hex-string") || s == null) {
                ctx.unsure();
                s = s != null ? s : given.get("--hex-string");
            }
            if (s == null || algo == null) {
                throw ctx.error("-m string", "string needs --string (or --hex-string) and --algo");
            }
            String pat = s.arg();
            byte[] bytes = pat.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length == 0 || bytes.length > 128) {
                throw ctx.error(s.spelling(), "string pattern must be 1-128 bytes");
            }
            // is_hex_string: a byte that is not printable ASCII, or a trailing backslash, prints as hex
            boolean hex = bytes[bytes.length - 1] == '\\';
            for (byte b : bytes) {
                hex |= b < 0x20 || b > 0x7e;
            }
            if (hex) {
                StringBuilder sb = new StringBuilder("\"|");
                for (byte b : bytes) {
                    sb.append(String.format("%02x", b & 0xff));
                }
                out.add(opt("--hex-string", s.negated(), sb.append("|\"").toString()));
            } else {
                out.add(opt("--string", s.negated(), Quoting.stringMatch(pat)));
            }
            if (!algo.arg().equals("bm") && !algo.arg().equals("kmp")) {
                throw ctx.error(algo.spelling(), "unknown string algorithm '" + algo.arg() + "' (bm or kmp)");
            }
            out.add(opt(algo, algo.arg()));
            for (String n : new String[] {"--from", "--to"}) {
                Given g = given.get(n);
                if (g != null) {
                    long v = number(g.arg(), 65535, ctx, g.spelling());
                    if (v < 0) {
                        out.add(opt(g, g.arg()));
                    } else if (v != (n.equals("--from") ? 0 : 65535)) {
                        out.add(opt(g, Long.toString(v)));
                    }
                }
            }
            if (given.has("--icase")) {
                out.add(opt("--icase", false));
            }
        }
    }

    static final class PhysDev extends Extension {
        PhysDev() {
            super("physdev");
            option(0, true, "--physdev-is-in");
            option(1, true, "--physdev-in");
            option(0, true, "--physdev-is-out");
            option(1, true, "--physdev-out");
            option(0, true, "--physdev-is-bridged");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            for (String n : new String[] {"--physdev-is-in", "--physdev-in", "--physdev-is-out", "--physdev-out",
                "--physdev-is-bridged"}) {
                Given g = given.get(n);
                if (g != null) {
                    if (g.args().isEmpty()) {
                        out.add(opt(g));
                    } else {
                        BuiltinCanonicalizer.checkInterface(g.arg(), ctx, g.spelling());
                        out.add(opt(g, g.arg()));
                    }
                }
            }
            if (given.isEmpty()) {
                throw ctx.error("-m physdev", "physdev needs at least one option");
            }
        }
    }

    static final class Helper extends Extension {
        Helper() {
            super("helper");
            option(1, true, "--helper");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, "--helper", ctx, "-m helper");
            out.add(opt(g, Quoting.saveString(g.arg())));
        }
    }

    static final class RpFilter extends Extension {
        RpFilter() {
            super("rpfilter");
            option(0, false, "--loose");
            option(0, false, "--validmark");
            option(0, false, "--accept-local");
            option(0, false, "--invert");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            for (String n : new String[] {"--loose", "--validmark", "--accept-local", "--invert"}) {
                if (given.has(n)) {
                    out.add(opt(n, false));
                }
            }
        }
    }

    // ---------------------------------------------------------------- time

    static final class Time extends Extension {
        private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

        Time() {
            super("time");
            option(1, false, "--timestart");
            option(1, false, "--timestop");
            option(1, true, "--monthdays");
            option(1, true, "--weekdays");
            option(1, false, "--datestart");
            option(1, false, "--datestop");
            option(0, false, "--utc");
            option(0, false, "--kerneltz", "--localtz");
            option(0, false, "--contiguous");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given start = given.get("--timestart");
            Given stop = given.get("--timestop");
            int s = start == null ? 0 : daytime(start, ctx);
            int e = stop == null ? 86399 : daytime(stop, ctx);
            if (given.has("--contiguous") && e >= s) {
                throw ctx.error("--contiguous", "time: --contiguous only makes sense when --timestop is before --timestart");
            }
            if (s != 0 || e != 86399) {
                out.add(opt("--timestart", false, clock(s)));
                out.add(opt("--timestop", false, clock(e)));
            }
            Given md = given.get("--monthdays");
            if (md != null) {
                long mask = 0;
                for (String d : md.arg().split(",", -1)) {
                    long v = number(d, 31, ctx, md.spelling());
                    if (v == 0) {
                        throw ctx.error(md.spelling(), "bad month day '" + d + "'");
                    }
                    if (v < 0) {
                        out.add(opt(md, md.arg()));
                        mask = -1;
                        break;
                    }
                    mask |= 1L << v;
                }
                if (mask >= 0) {
                    if (md.negated()) {
                        mask = ~mask & 0xfffffffeL;
                    }
                    if (mask != 0xfffffffeL) {
                        StringBuilder sb = new StringBuilder();
                        for (int d = 1; d <= 31; d++) {
                            if ((mask & (1L << d)) != 0) {
                                sb.append(sb.length() > 0 ? "," : "").append(d);
                            }
                        }
                        out.add(opt("--monthdays", false, sb.toString()));
                    }
                }
            }
            Given wd = given.get("--weekdays");
            if (wd != null) {
                int mask = 0;
                for (String d : wd.arg().split(",", -1)) {
                    int i = 0;
                    while (i < 7 && !DAYS[i].equals(d) && !Integer.toString(i + 1).equals(d)) {
                        i++;
                    }
                    if (i == 7) {
                        ctx.unsure();
                        mask = -1;
                        break;
                    }
                    mask |= 1 << i;
                }
                if (mask < 0) {
                    out.add(opt(wd, wd.arg()));
                } else {
                    if (wd.negated()) {
                        mask = ~mask & 0x7f;
                    }
                    if (mask != 0x7f) {
                        out.add(opt("--weekdays", false, bitNames(mask, DAYS)));
                    }
                }
            }
            Given ds = given.get("--datestart");
            if (ds != null) {
                String d = date(ds, ctx);
                if (!d.equals("1970-01-01T00:00:00")) {
                    out.add(opt("--datestart", false, d));
                }
            }
            Given de = given.get("--datestop");
            out.add(opt("--datestop", false, de == null ? "2038-01-19T03:14:07" : date(de, ctx)));
            if (given.has("--kerneltz")) {
                out.add(opt("--kerneltz", false));
            }
            if (given.has("--contiguous")) {
                out.add(opt("--contiguous", false));
            }
        }

        private static int daytime(Given g, RuleContext ctx) {
            String[] p = g.arg().split(":", -1);
            if (p.length < 2 || p.length > 3) {
                throw ctx.error(g.spelling(), "bad time '" + g.arg() + "' (hh:mm[:ss])");
            }
            int[] max = {23, 59, 59};
            int total = 0;
            for (int i = 0; i < 3; i++) {
                long v = 0;
                if (i < p.length) {
                    if (p[i].isEmpty() || p[i].length() > 2 || !allDigits(p[i])) {
                        throw ctx.error(g.spelling(), "bad time '" + g.arg() + "' (hh:mm[:ss])");
                    }
                    v = Long.parseLong(p[i]);
                    if (v > max[i]) {
                        throw ctx.error(g.spelling(), "bad time '" + g.arg() + "' (hh:mm[:ss])");
                    }
                }
                total = total * 60 + (int) v;
            }
            return total;
        }

        private static String clock(int t) {
            return String.format("%02d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
        }

        private static String date(Given g, RuleContext ctx) {
            java.util.regex.Matcher m = DATE.matcher(g.arg());
            if (!m.matches()) {
                ctx.unsure();
                return g.arg();
            }
            try {
                java.time.LocalDateTime t = java.time.LocalDateTime.of(Integer.parseInt(m.group(1)),
                        m.group(2) == null ? 1 : Integer.parseInt(m.group(2)),
                        m.group(3) == null ? 1 : Integer.parseInt(m.group(3)),
                        m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                        m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                        m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
                long epoch = t.toEpochSecond(java.time.ZoneOffset.UTC);
                if (epoch < 0 || epoch > Integer.MAX_VALUE) {
                    ctx.unsure();
                    return g.arg();
                }
                return t.format(java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss"));
            } catch (java.time.DateTimeException e) {
                throw ctx.error(g.spelling(), "bad date '" + g.arg() + "'");
            }
        }

        private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile(
                "(\\d{4})(?:-(\\d{2})(?:-(\\d{2})(?:T(\\d{2})(?::(\\d{2})(?::(\\d{2}))?)?)?)?)?");
    }
}
