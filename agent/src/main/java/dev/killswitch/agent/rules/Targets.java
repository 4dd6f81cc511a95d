package dev.killswitch.agent.rules;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import static dev.killswitch.agent.rules.Extension.allDigits;

/** The {@code -j} targets the builtin canonicaliser knows, each printing what iptables-save 1.8.9 (nft) prints. */
final class Targets {

    private static final Map<String, Extension> BY_NAME = new HashMap<>();

    /** Every target extension iptables 1.8.9 ships: a -j to one of these is not a chain jump. */
    static final Set<String> EXTENSIONS = Set.of("AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK",
            "CONNSECMARK", "CT", "DNAT", "DNPT", "DSCP", "ECN", "HL", "HMARK", "IDLETIMER", "LED", "LOG", "MARK",
            "MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "RATEEST", "REDIRECT", "REJECT", "SECMARK", "SET",
            "SNAT", "SNPT", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE", "TTL", "ULOG",
            "QUEUE");

    static {
        for (Extension e : List.of(new Reject(), new Log(), new NfLog(), new Masquerade(), new Nat("SNAT"),
                new Nat("DNAT"), new Redirect(), new Mark(), new ConnMark(), new Ct(), new Plain("NOTRACK"),
                new Plain("TRACE"), new TcpMss(), new Checksum(), new Tproxy(), new TosTarget(), new DscpTarget(),
                new NfQueue())) {
            BY_NAME.put(e.name, e);
        }
    }

    private Targets() {
    }

    /** The target of this name, or null when it is unknown or not an extension. */
    static Extension get(String name) {
        return BY_NAME.get(name);
    }

    /** Every target this class knows. */
    static java.util.Collection<Extension> all() {
        return BY_NAME.values();
    }

    // ---------------------------------------------------------------- REJECT

    private static final String[][] REJECT4 = {{"icmp-net-unreachable", "net-unreach"},
        {"icmp-host-unreachable", "host-unreach"}, {"icmp-proto-unreachable", "proto-unreach"},
        {"icmp-port-unreachable", "port-unreach"}, {"icmp-net-prohibited", "net-prohib"},
        {"icmp-host-prohibited", "host-prohib"}, {"tcp-reset", "tcp-rst"},
        {"icmp-admin-prohibited", "admin-prohib"}};
    private static final String[][] REJECT6 = {{"icmp6-no-route", "no-route"},
        {"icmp6-adm-prohibited", "adm-prohibited"}, {"icmp6-addr-unreachable", "addr-unreach"},
        {"icmp6-port-unreachable", "port-unreach"}, {"tcp-reset", "tcp-reset"},
        {"icmp6-policy-fail", "policy-fail"}, {"icmp6-reject-route", "reject-route"}};

    static final class Reject extends Extension {
        Reject() {
            super("REJECT");
            option(1, false, "--reject-with");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            String[][] table = ctx.ipv6() ? REJECT6 : REJECT4;
            Given g = given.get("--reject-with");
            String with = ctx.ipv6() ? "icmp6-port-unreachable" : "icmp-port-unreachable";
            if (g != null) {
                with = null;
                for (String[] t : table) {
                    // strncasecmp(name, arg, strlen(arg)): the first entry the argument abbreviates wins
                    if (prefixOf(g.arg(), t[0]) || prefixOf(g.arg(), t[1])) {
                        with = t[0];
                        break;
                    }
                }
                if (with == null) {
                    throw ctx.error(g.spelling(), "unknown reject type '" + g.arg() + "'");
                }
            }
            if (with.equals("tcp-reset") && (ctx.protocol != 6 || ctx.protocolNegated)) {
                ctx.unsure(); // the kernel refuses tcp-reset without -p tcp
            }
            out.add(opt("--reject-with", false, with));
        }
    }

    // ---------------------------------------------------------------- LOG, NFLOG

    private static final String[][] LOG_LEVELS = {{"alert", "1"}, {"crit", "2"}, {"debug", "7"}, {"emerg", "0"},
        {"error", "3"}, {"info", "6"}, {"notice", "5"}, {"panic", "0"}, {"warning", "4"}};

    static final class Log extends Extension {
        private static final String[] FLAGS = {"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options",
            "--log-uid", "--log-macdecode"};

        Log() {
            super("LOG");
            option(1, false, "--log-level");
            option(1, false, "--log-prefix");
            for (String f : FLAGS) {
                option(0, false, f);
            }
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given p = given.get("--log-prefix");
            if (p != null) {
                if (p.arg().isEmpty()) {
                    throw ctx.error(p.spelling(), "--log-prefix must not be empty");
                }
                out.add(opt(p, Quoting.saveString(Matches.truncate(p.arg(), 29, ctx))));
            }
            Given l = given.get("--log-level");
            if (l != null) {
                String level = null;
                if (l.arg().length() == 1 && l.arg().charAt(0) >= '0' && l.arg().charAt(0) <= '7') {
                    level = l.arg();
                } else {
                    for (String[] n : LOG_LEVELS) {
                        if (n[0].equals(l.arg())) {
                            level = n[1];
                        }
                    }
                }
                if (level == null) {
                    if (allDigits(l.arg()) && l.arg().startsWith("0")) {
                        ctx.unsure();
                        level = l.arg();
                    } else {
                        throw ctx.error(l.spelling(), "unknown log level '" + l.arg() + "'");
                    }
                }
                if (!level.equals("4")) {
                    out.add(opt(l, level));
                }
            }
            for (String f : FLAGS) {
                if (given.has(f)) {
                    out.add(opt(f, false));
                }
            }
        }
    }

    static final class NfLog extends Extension {
        NfLog() {
            super("NFLOG");
            option(1, false, "--nflog-group");
            option(1, false, "--nflog-prefix");
            option(1, false, "--nflog-range");
            option(1, false, "--nflog-size");
            option(1, false, "--nflog-threshold");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given p = given.get("--nflog-prefix");
            if (p != null) {
                if (p.arg().length() > 63) {
                    ctx.unsure();
                }
                if (!p.arg().isEmpty()) {
                    out.add(opt(p, Quoting.saveString(p.arg())));
                }
            }
            number(given.get("--nflog-group"), 65535, 0, ctx, out);
            if (given.has("--nflog-range")) {
                ctx.unsure(); // nft drops it
                Given r = given.get("--nflog-range");
                out.add(opt(r, r.arg()));
            }
            number(given.get("--nflog-size"), 0xffffffffL, -1, ctx, out);
            number(given.get("--nflog-threshold"), 65535, 0, ctx, out);
        }

        private static void number(Given g, long max, long dflt, RuleContext ctx, List<Opt> out) {
            if (g == null) {
                return;
            }
            long v = Extension.number(g.arg(), max, ctx, g.spelling());
            if (v < 0) {
                out.add(opt(g, g.arg()));
            } else if (v != dflt) {
                out.add(opt(g, Long.toString(v)));
            }
        }
    }

    // ---------------------------------------------------------------- NAT

    /** {@code N} or {@code N-M} for --to-ports; null when unsure. */
    static String portRange(String v, RuleContext ctx, String option) {
        int dash = v.indexOf('-');
        int lo = Ports.port(dash < 0 ? v : v.substring(0, dash), 0, ctx, option);
        int hi = dash < 0 ? lo : Ports.port(v.substring(dash + 1), 0, ctx, option);
        if (lo < 0 || hi < 0 || !allDigits(v.replace("-", "")) || lo > hi) {
            ctx.unsure();
            return null;
        }
        return Ports.format(lo, hi, '-');
    }

    /** NAT port options need -p tcp, udp, sctp, dccp or udplite written before them. */
    /** --to-ports of MASQUERADE and REDIRECT: N or N-M, and only after -p with ports. */
    static void toPorts(Extension.Given p, RuleContext ctx, List<Opt> out) {
        if (p == null) {
            return;
        }
        if (!portsAllowed(p)) {
            throw ctx.error(p.spelling(), "--to-ports needs -p tcp, udp, sctp or dccp before it");
        }
        String r = portRange(p.arg(), ctx, p.spelling());
        out.add(Extension.opt(p, r == null ? p.arg() : r));
    }

    static boolean portsAllowed(Extension.Given g) {
        int p = g.protocol();
        return p == 6 || p == 17 || p == 132 || p == 33 || p == 136;
    }

    static final class Masquerade extends Extension {
        Masquerade() {
            super("MASQUERADE");
            option(1, false, "--to-ports");
            option(0, false, "--random");
            option(0, false, "--random-fully");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            toPorts(given.get("--to-ports"), ctx, out);
            for (String f : new String[] {"--random", "--random-fully"}) {
                if (given.has(f)) {
                    out.add(opt(f, false));
                }
            }
        }
    }

    static final class Redirect extends Extension {
        Redirect() {
            super("REDIRECT");
            option(1, false, "--to-ports");
            abbreviation("--to-ports", "--to-port");
            option(0, false, "--random");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            toPorts(given.get("--to-ports"), ctx, out);
            if (given.has("--random")) {
                out.add(opt("--random", false));
            }
        }
    }

    static final class Nat extends Extension {
        private final String to;

        Nat(String name) {
            super(name);
            to = name.equals("SNAT") ? "--to-source" : "--to-destination";
            option(1, false, to);
            abbreviation(to, "--to");
            option(0, false, "--random");
            if (name.equals("SNAT")) {
                option(0, false, "--random-fully");
            }
            option(0, false, "--persistent");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given g = required(given, to, ctx, "-j " + name);
            String r = range(g.arg(), portsAllowed(g), ctx, g.spelling());
            out.add(opt(to, false, r == null ? g.arg() : r));
            for (String f : new String[] {"--random", "--random-fully", "--persistent"}) {
                if (given.has(f)) {
                    out.add(opt(f, false));
                }
            }
        }

        /** addr[-addr][:port[-port]], IPv6 in brackets when a port follows; null when unsure. */
        private static String range(String v, boolean portsAllowed, RuleContext ctx, String option) {
            String addrs = v;
            String ports = null;
            if (ctx.ipv6()) {
                if (v.startsWith("[")) {
                    int close = v.indexOf(']');
                    if (close < 0) {
                        throw ctx.error(option, "bad address range '" + v + "'");
                    }
                    addrs = v.substring(1, close);
                    String rest = v.substring(close + 1);
                    if (!rest.isEmpty()) {
                        if (!rest.startsWith(":")) {
                            throw ctx.error(option, "bad address range '" + v + "'");
                        }
                        ports = rest.substring(1);
                    }
                }
            } else {
                int colon = v.indexOf(':');
                if (colon >= 0) {
                    addrs = v.substring(0, colon);
                    ports = v.substring(colon + 1);
                }
            }
            String a = "";
            if (!addrs.isEmpty()) {
                int dash = addrs.indexOf('-');
                String lo = Inet.plainAddress(dash < 0 ? addrs : addrs.substring(0, dash), ctx.ipv6(), ctx, option);
                String hi = dash < 0 ? null : Inet.plainAddress(addrs.substring(dash + 1), ctx.ipv6(), ctx, option);
                if (lo == null || (dash >= 0 && (hi == null || hi.equals(lo)))) {
                    ctx.unsure();
                    return null;
                }
                a = hi == null ? lo : lo + "-" + hi;
            }
            if (ports == null) {
                return a;
            }
            if (!portsAllowed) {
                throw ctx.error(option, "a port needs -p tcp, udp, sctp or dccp before it");
            }
            String p = portRange(ports, ctx, option);
            if (p == null) {
                return null;
            }
            return (ctx.ipv6() && !a.isEmpty() ? "[" + a + "]" : a) + ":" + p;
        }
    }

    // ---------------------------------------------------------------- MARK, CONNMARK

    static final class Mark extends Extension {
        Mark() {
            super("MARK");
            option(1, false, "--set-xmark");
            option(1, false, "--set-mark");
            option(1, false, "--and-mark");
            option(1, false, "--or-mark");
            option(1, false, "--xor-mark");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            long[] xm = xmark(given, ctx, "MARK");
            out.add(opt("--set-xmark", false, xm == null ? given.list.get(0).arg() : hex(xm[0]) + "/" + hex(xm[1])));
        }
    }

    private static final Set<String> MARK_OPS = Set.of("--set-xmark", "--set-mark", "--and-mark", "--or-mark",
            "--xor-mark");

    /** The single mark operation of MARK/CONNMARK as {value, mask} of --set-xmark; null when unsure. */
    static long[] xmark(Extension.Options given, RuleContext ctx, String target) {
        Extension.Given g = null;
        for (Extension.Given x : given.list) {
            if (MARK_OPS.contains(x.name())) {
                if (g != null) {
                    throw ctx.error(x.spelling(), target + " takes only one mark operation");
                }
                g = x;
            }
        }
        if (g == null) {
            throw ctx.error("-j " + target, target + " needs a mark operation");
        }
        String op = g.name();
        boolean withMask = op.equals("--set-xmark") || op.equals("--set-mark");
        if (!withMask && g.arg().indexOf('/') >= 0) {
            throw ctx.error(g.spelling(), op + " takes no mask");
        }
        long[] vm = Extension.valueMask(g.arg(), 0xffffffffL, ctx, g.spelling());
        if (vm == null) {
            return null;
        }
        long v = vm[0];
        long m = vm[1];
        return switch (op) {
            case "--set-xmark" -> new long[] {v, m};
            case "--set-mark" -> new long[] {v, (v | m) & 0xffffffffL};
            case "--and-mark" -> new long[] {0, ~v & 0xffffffffL};
            case "--or-mark" -> new long[] {v, v};
            default -> new long[] {v, 0};
        };
    }

    static final class ConnMark extends Extension {
        ConnMark() {
            super("CONNMARK");
            option(1, false, "--set-xmark");
            option(1, false, "--set-mark");
            option(1, false, "--and-mark");
            option(1, false, "--or-mark");
            option(1, false, "--xor-mark");
            option(0, false, "--save-mark");
            option(0, false, "--restore-mark");
            option(1, false, "--mask");
            option(1, false, "--nfmask");
            option(1, false, "--ctmask");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            boolean save = given.has("--save-mark");
            boolean restore = given.has("--restore-mark");
            if (save || restore) {
                if (save && restore) {
                    throw ctx.error("--restore-mark", "CONNMARK takes only one of --save-mark, --restore-mark");
                }
                long nf = 0xffffffffL;
                long ct = 0xffffffffL;
                Given mask = given.get("--mask");
                if (mask != null) {
                    nf = ct = number(mask.arg(), 0xffffffffL, ctx, mask.spelling());
                }
                Given nfm = given.get("--nfmask");
                if (nfm != null) {
                    nf = number(nfm.arg(), 0xffffffffL, ctx, nfm.spelling());
                }
                Given ctm = given.get("--ctmask");
                if (ctm != null) {
                    ct = number(ctm.arg(), 0xffffffffL, ctx, ctm.spelling());
                }
                if (nf < 0 || ct < 0) {
                    for (Given g : given.list) {
                        out.add(g.args().isEmpty() ? opt(g) : opt(g, g.arg()));
                    }
                    return;
                }
                out.add(opt(save ? "--save-mark" : "--restore-mark", false));
                out.add(opt("--nfmask", false, hex(nf)));
                out.add(opt("--ctmask", false, hex(ct)));
                return;
            }
            if (given.has("--mask") || given.has("--nfmask") || given.has("--ctmask")) {
                throw ctx.error("--mask", "CONNMARK masks go with --save-mark or --restore-mark");
            }
            long[] xm = xmark(given, ctx, "CONNMARK");
            out.add(opt("--set-xmark", false, xm == null ? given.list.get(0).arg() : hex(xm[0]) + "/" + hex(xm[1])));
        }
    }

    // ---------------------------------------------------------------- CT, NOTRACK, TRACE, TCPMSS, CHECKSUM

    static final class Ct extends Extension {
        Ct() {
            super("CT");
            option(0, false, "--notrack");
            option(1, false, "--helper");
            option(1, false, "--zone");
            option(1, false, "--ctevents");
            option(1, false, "--expevents");
            option(1, false, "--timeout");
            option(1, false, "--zone-orig");
            option(1, false, "--zone-reply");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() > 1) {
                ctx.unsure(); // only single options are verified
            }
            for (Given g : given.list) {
                switch (g.name()) {
                    case "--notrack" -> out.add(opt("--notrack", false));
                    case "--helper" -> out.add(opt(g, rawNameOf(g.arg(), ctx)));
                    case "--zone" -> {
                        out.add(decimal(g, 65535, ctx));
                    }
                    default -> {
                        ctx.unsure();
                        out.add(opt(g, g.arg()));
                    }
                }
            }
        }

        private static String rawNameOf(String v, RuleContext ctx) {
            return Matches.rawName(v, ctx);
        }
    }

    /** A target without options. */
    static final class Plain extends Extension {
        Plain(String name) {
            super(name);
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
        }
    }

    static final class TcpMss extends Extension {
        TcpMss() {
            super("TCPMSS");
            option(1, false, "--set-mss");
            option(0, false, "--clamp-mss-to-pmtu");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                throw ctx.error("-j TCPMSS", "TCPMSS needs exactly one of --set-mss, --clamp-mss-to-pmtu");
            }
            if (ctx.protocol != 6 || ctx.protocolNegated) {
                ctx.unsure();
            }
            Given g = given.list.get(0);
            if (g.args().isEmpty()) {
                out.add(opt(g));
            } else {
                out.add(decimal(g, 65535, ctx));
            }
        }
    }

    static final class Checksum extends Extension {
        Checksum() {
            super("CHECKSUM");
            option(0, false, "--checksum-fill");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (!given.has("--checksum-fill")) {
                throw ctx.error("-j CHECKSUM", "CHECKSUM needs --checksum-fill");
            }
            out.add(opt("--checksum-fill", false));
        }
    }

    // ---------------------------------------------------------------- TPROXY, TOS, DSCP, NFQUEUE

    static final class Tproxy extends Extension {
        Tproxy() {
            super("TPROXY");
            option(1, false, "--on-port");
            option(1, false, "--on-ip");
            option(1, false, "--tproxy-mark");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given port = required(given, "--on-port", ctx, "-j TPROXY");
            if (ctx.protocol != 6 && ctx.protocol != 17 || ctx.protocolNegated) {
                ctx.unsure();
            }
            int p = Ports.port(port.arg(), 0, ctx, port.spelling());
            out.add(opt(port, p < 0 ? port.arg() : Integer.toString(p)));
            Given ip = given.get("--on-ip");
            String a = ctx.ipv6() ? "::" : "0.0.0.0";
            if (ip != null) {
                a = Inet.plainAddress(ip.arg(), ctx.ipv6(), ctx, ip.spelling());
                if (a == null) {
                    a = ip.arg();
                }
            }
            out.add(opt("--on-ip", false, a));
            Given mark = given.get("--tproxy-mark");
            String m = "0x0/0x0";
            if (mark != null) {
                long[] vm = valueMask(mark.arg(), 0xffffffffL, ctx, mark.spelling());
                m = vm == null ? mark.arg() : hex(vm[0]) + "/" + hex(vm[1]);
            }
            out.add(opt("--tproxy-mark", false, m));
        }
    }

    static final class TosTarget extends Extension {
        TosTarget() {
            super("TOS");
            option(1, false, "--set-tos");
            option(1, false, "--and-tos");
            option(1, false, "--or-tos");
            option(1, false, "--xor-tos");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                throw ctx.error("-j TOS", "TOS needs exactly one of --set-tos, --and-tos, --or-tos, --xor-tos");
            }
            Given g = given.list.get(0);
            int v;
            int m;
            if (g.name().equals("--set-tos")) {
                int[] t = Matches.tos(g.arg(), ctx, g.spelling());
                if (t == null) {
                    out.add(opt("--set-tos", false, g.arg()));
                    return;
                }
                v = t[0];
                m = t[1];
            } else {
                long x = number(g.arg(), 255, ctx, g.spelling());
                if (x < 0) {
                    out.add(opt("--set-tos", false, g.arg()));
                    return;
                }
                switch (g.name()) {
                    case "--and-tos" -> {
                        v = 0;
                        m = ~(int) x & 0xff;
                    }
                    case "--or-tos" -> {
                        v = (int) x;
                        m = (int) x;
                    }
                    default -> {
                        v = (int) x;
                        m = 0;
                    }
                }
            }
            out.add(opt("--set-tos", false, hex2(v) + "/" + hex2(m)));
        }
    }

    static final class DscpTarget extends Extension {
        DscpTarget() {
            super("DSCP");
            option(1, false, "--set-dscp");
            option(1, false, "--set-dscp-class");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            if (given.list.size() != 1) {
                throw ctx.error("-j DSCP", "DSCP needs exactly one of --set-dscp, --set-dscp-class");
            }
            Given g = given.list.get(0);
            String v = Matches.dscp(g.arg(), g.name().equals("--set-dscp-class"), ctx, g.spelling());
            out.add(opt("--set-dscp", false, v == null ? g.arg() : v));
        }
    }

    static final class NfQueue extends Extension {
        NfQueue() {
            super("NFQUEUE");
            option(1, false, "--queue-num");
            option(1, false, "--queue-balance");
            option(0, false, "--queue-bypass");
            option(0, false, "--fail-open");
            option(0, false, "--queue-cpu-fanout");
        }

        @Override
        void canonical(Options given, RuleContext ctx, List<Opt> out) {
            Given bal = given.get("--queue-balance");
            if (bal != null) {
                ctx.unsure();
                out.add(opt(bal, bal.arg()));
            } else {
                Given n = given.get("--queue-num");
                long v = n == null ? 0 : number(n.arg(), 65535, ctx, n.spelling());
                out.add(opt("--queue-num", false, v < 0 ? n.arg() : Long.toString(v)));
            }
            for (String f : new String[] {"--queue-bypass", "--fail-open", "--queue-cpu-fanout"}) {
                if (given.has(f)) {
                    if (!f.equals("--queue-bypass")) {
                        ctx.unsure();
                    }
                    out.add(opt(f, false));
                }
            }
        }
    }
}
