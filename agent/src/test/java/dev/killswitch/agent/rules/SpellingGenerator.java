package dev.killswitch.agent.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Builds valid rules in deliberately non-canonical spellings: long options, names for numbers, odd
 * case, host bits, dotted masks, comma lists, options out of order, matches after the target, quoting
 * that is not needed, spare whitespace. Every rule is one iptables-restore would accept.
 */
final class SpellingGenerator {

    private final Random rnd;
    private final Family family;
    private final boolean v6;
    private int unique;

    SpellingGenerator(long seed, Family family) {
        this.rnd = new Random(seed);
        this.family = family;
        this.v6 = family == Family.IPV6;
    }

    /** A slot a rule can go to, with what its hook allows. */
    private record Slot(String table, String chain) {
        boolean in() {
            return chain.equals("PREROUTING") || chain.equals("INPUT") || chain.equals("FORWARD");
        }

        boolean out() {
            return chain.equals("FORWARD") || chain.equals("OUTPUT") || chain.equals("POSTROUTING");
        }
    }

    private static final List<Slot> SLOTS = List.of(new Slot("filter", "INPUT"), new Slot("filter", "FORWARD"),
            new Slot("filter", "OUTPUT"), new Slot("nat", "PREROUTING"), new Slot("nat", "POSTROUTING"),
            new Slot("nat", "OUTPUT"), new Slot("mangle", "PREROUTING"), new Slot("mangle", "FORWARD"),
            new Slot("mangle", "POSTROUTING"), new Slot("raw", "PREROUTING"), new Slot("raw", "OUTPUT"));

    /** {@code count} rules spread over the slots; filter also gets a user chain to jump to. */
    RawRuleset generate(int count) {
        Map<String, Map<String, List<String>>> byTable = new LinkedHashMap<>();
        for (Slot s : SLOTS) {
            byTable.computeIfAbsent(s.table, k -> new LinkedHashMap<>()).put(s.chain, new ArrayList<>());
        }
        byTable.get("filter").put("ks-target", new ArrayList<>());
        for (int i = 0; i < count; i++) {
            Slot s = i < SLOTS.size() * 4 ? SLOTS.get(i % SLOTS.size()) : pick(SLOTS);
            byTable.get(s.table).get(s.chain).add(rule(s));
        }
        Map<String, RawTable> tables = new LinkedHashMap<>();
        int line = 0;
        for (var t : byTable.entrySet()) {
            Map<String, RawChain> chains = new LinkedHashMap<>();
            for (var c : t.getValue().entrySet()) {
                List<RawRule> rules = new ArrayList<>();
                for (String args : c.getValue()) {
                    line++;
                    rules.add(new RawRule(args, new Origin("generated", line, t.getKey() + " " + c.getKey())));
                }
                boolean builtin = Table.builtins(t.getKey()).contains(c.getKey());
                chains.put(c.getKey(), new RawChain(c.getKey(), builtin ? pick("ACCEPT", "DROP", null) : null, rules,
                        new Origin("generated", 0, t.getKey() + " " + c.getKey())));
            }
            tables.put(t.getKey(), new RawTable(t.getKey(), chains));
        }
        return new RawRuleset(family, tables);
    }

    // ------------------------------------------------------------------ one rule

    private final class RuleParts {
        final Slot slot;
        final List<List<String>> segments = new ArrayList<>();
        List<String> protoSegment;
        final List<List<String>> implicit = new ArrayList<>();
        int proto; // 0 = none
        boolean avoidTo;
        boolean multiport;
        boolean negatedAddress;
        boolean protoFirst;
        boolean addressList;

        RuleParts(Slot slot) {
            this.slot = slot;
        }

        void seg(String... tokens) {
            segments.add(new ArrayList<>(List.of(tokens)));
        }
    }

    String rule(Slot slot) {
        RuleParts r = new RuleParts(slot);
        core(r);
        int matches = rnd.nextInt(4);
        for (int i = 0; i < matches; i++) {
            match(r);
        }
        target(r);
        // arrange: segments in random order, but -p before the options that load its match implicitly
        List<List<String>> all = new ArrayList<>(r.segments);
        all.addAll(r.implicit);
        Collections.shuffle(all, rnd);
        if (r.protoSegment != null && (!r.implicit.isEmpty() || r.multiport || r.protoFirst)) {
            all.remove(r.protoSegment);
            all.add(0, r.protoSegment);
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> seg : all) {
            for (String tok : seg) {
                if (sb.length() > 0) {
                    sb.append(rnd.nextInt(8) == 0 ? pick("  ", "\t", " \t ") : " ");
                }
                sb.append(tok);
            }
        }
        return sb.toString();
    }

    private void core(RuleParts r) {
        if (rnd.nextInt(3) == 0) {
            addresses(r, pick("-s", "--source", "--src"));
        }
        if (rnd.nextInt(3) == 0) {
            addresses(r, pick("-d", "--destination", "--dst"));
        }
        if (r.slot.in() && rnd.nextInt(3) == 0) {
            iface(r, pick("-i", "--in-interface"));
        }
        if (r.slot.out() && rnd.nextInt(3) == 0) {
            iface(r, pick("-o", "--out-interface"));
        }
        if (!v6 && rnd.nextInt(12) == 0) {
            r.seg(neg(4), pick("-f", "--fragments"));
            r.segments.get(r.segments.size() - 1).remove("");
        }
        int p = rnd.nextInt(10);
        String popt = pick("-p", "--protocol");
        if (p < 4) {
            r.proto = 6;
            r.protoSegment = List.of(popt, pick("tcp", "TCP", "6", "Tcp"));
        } else if (p < 7) {
            r.proto = 17;
            r.protoSegment = List.of(popt, pick("udp", "UDP", "17"));
        } else if (p == 7) {
            r.proto = v6 ? 58 : 1;
            r.protoSegment = List.of(popt, v6 ? pick("icmpv6", "ipv6-icmp", "58", "IPv6-ICMP") : pick("icmp", "ICMP", "1"));
        } else if (p == 8 && rnd.nextBoolean()) {
            String[][] other = {{"gre", "47"}, {"esp", "50"}, {"ah", "51"}, {"sctp", "132"}, {"all", "0"},
                {"ipip", "94"}, {"igmp", "2"}};
            String[] o = other[rnd.nextInt(other.length)];
            boolean all = o[0].equals("all");
            List<String> seg = new ArrayList<>();
            if (!all && rnd.nextInt(4) == 0) {
                seg.add("!");
            }
            seg.add(popt);
            seg.add(rnd.nextBoolean() ? o[0] : o[1]);
            r.protoSegment = seg;
            r.proto = -1;
        }
        if (r.protoSegment != null) {
            if (r.proto > 0 && rnd.nextInt(6) == 0 && !v6) {
                List<String> seg = new ArrayList<>(List.of("!"));
                seg.addAll(r.protoSegment);
                r.protoSegment = seg;
                r.proto = -1; // negated: no protocol match may follow
            }
            r.segments.add(r.protoSegment);
        }
    }

    private void addresses(RuleParts r, String opt) {
        int n = rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(2) : 1;
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(v6 ? address6() : address4());
        }
        List<String> seg = new ArrayList<>();
        if (n == 1 && !r.addressList && rnd.nextInt(4) == 0 && !items.get(0).endsWith("/0")
                && !items.get(0).endsWith("/0.0.0.0") && !items.get(0).endsWith("/::")) {
            seg.add("!");
            r.negatedAddress = true;
        }
        if (n > 1 && r.negatedAddress) {
            items = items.subList(0, 1);
        }
        r.addressList |= items.size() > 1;
        seg.add(opt);
        seg.add(String.join(",", items));
        r.segments.add(seg);
    }

    private String address4() {
        int a = rnd.nextInt();
        String base = Inet.formatV4(a);
        return switch (rnd.nextInt(7)) {
            case 0 -> base;
            case 1 -> base + "/32";
            case 2 -> base + "/" + rnd.nextInt(33);
            case 3 -> base + "/" + Inet.formatV4(Inet.maskV4(rnd.nextInt(33)));
            case 4 -> base + "/" + pick("255.0.255.0", "255.255.0.255", "0.255.255.255");
            case 5 -> "0.0.0.0/0";
            default -> base + "/" + (8 * (1 + rnd.nextInt(4)));
        };
    }

    private String address6() {
        byte[] b = new byte[16];
        rnd.nextBytes(b);
        if (rnd.nextBoolean()) {
            for (int i = 4 + rnd.nextInt(6); i < 14; i++) {
                b[i] = 0; // a run of zero groups to compress
            }
        }
        String base;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 8; i++) {
                    sb.append(i > 0 ? ":" : "").append(String.format("%04X", ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff)));
                }
                base = sb.toString();
            }
            case 1 -> base = "::ffff:" + Inet.formatV4(rnd.nextInt());
            default -> base = Inet.formatV6(b).toUpperCase(Locale.ROOT);
        }
        return switch (rnd.nextInt(6)) {
            case 0 -> base;
            case 1 -> base + "/128";
            case 2 -> base + "/" + rnd.nextInt(129);
            case 3 -> base + "/" + Inet.formatV6(Inet.maskV6(rnd.nextInt(129)));
            case 4 -> rnd.nextInt(4) == 0 ? "::/0" : base + "/ffff:0:ffff::";
            default -> base + "/" + (16 * (1 + rnd.nextInt(8)));
        };
    }

    private void iface(RuleParts r, String opt) {
        String name = pick("eth0", "eth1", "wg0", "lo", "br-lan", "veth.1", "eth+", "ppp+", "+", "enp0s3", "tun_a", "x:1");
        List<String> seg = new ArrayList<>();
        if (rnd.nextInt(3) == 0) {
            seg.add("!");
        }
        seg.add(opt);
        seg.add(name);
        r.segments.add(seg);
    }

    // ------------------------------------------------------------------ matches

    private void match(RuleParts r) {
        int k = rnd.nextInt(30);
        switch (k) {
            case 0, 1, 2 -> protoMatch(r);
            case 3 -> multiport(r);
            case 4 -> state(r);
            case 5 -> conntrack(r);
            case 6 -> comment(r);
            case 7 -> limit(r);
            case 8 -> mac(r);
            case 9 -> mark(r);
            case 10 -> addrtype(r);
            case 11 -> iprange(r);
            case 12 -> pkttype(r);
            case 13 -> recent(r);
            case 14 -> hashlimit(r);
            case 15 -> connlimit(r);
            case 16 -> owner(r);
            case 17 -> ttl(r);
            case 18 -> length(r);
            case 19 -> statistic(r);
            case 20 -> tos(r);
            case 21 -> dscp(r);
            case 22 -> string(r);
            case 23 -> helper(r);
            case 24 -> time(r);
            case 25 -> physdev(r);
            case 26 -> comment(r);
            default -> protoMatch(r);
        }
    }

    private boolean has(RuleParts r, String module) {
        for (List<String> seg : r.segments) {
            if (seg.size() > 1 && (seg.get(0).equals("-m") || seg.get(0).equals("--match")) && seg.get(1).equals(module)) {
                return true;
            }
        }
        return false;
    }

    private List<String> module(String name) {
        return new ArrayList<>(List.of(pick("-m", "-m", "--match"), name));
    }

    /** Adds {@code [!] opt value} with a random ! when {@code negatable}. */
    private void opt(List<String> seg, boolean negatable, String opt, String... args) {
        if (negatable && rnd.nextInt(4) == 0) {
            seg.add("!");
        }
        seg.add(opt);
        seg.addAll(List.of(args));
    }

    private void protoMatch(RuleParts r) {
        if (r.proto == 6 || r.proto == 17) {
            boolean tcp = r.proto == 6;
            if (has(r, tcp ? "tcp" : "udp") || !r.implicit.isEmpty()) {
                return;
            }
            List<String> seg = new ArrayList<>();
            boolean explicit = rnd.nextBoolean() || r.multiport;
            if (explicit) {
                seg.addAll(module(tcp ? "tcp" : "udp"));
            }
            if (rnd.nextBoolean()) {
                opt(seg, true, pick("--sport", "--source-port"), portSpec(r.proto));
            }
            if (rnd.nextBoolean() || seg.size() < 3) {
                opt(seg, true, pick("--dport", "--destination-port"), portSpec(r.proto));
            }
            if (tcp && rnd.nextBoolean()) {
                if (rnd.nextBoolean()) {
                    opt(seg, true, "--syn");
                } else {
                    opt(seg, true, "--tcp-flags", flags(true), flags(false));
                }
            }
            if (tcp && rnd.nextInt(5) == 0) {
                opt(seg, true, "--tcp-option", Integer.toString(1 + rnd.nextInt(255)));
            }
            if (explicit) {
                r.segments.add(seg);
            } else {
                r.implicit.add(seg);
            }
        } else if (r.proto == 1 || r.proto == 58) {
            if (!r.implicit.isEmpty() || has(r, "icmp") || has(r, "icmp6")) {
                return;
            }
            List<String> seg = new ArrayList<>();
            boolean explicit = rnd.nextBoolean();
            if (explicit) {
                seg.addAll(module(v6 ? "icmp6" : "icmp"));
            }
            opt(seg, true, v6 ? "--icmpv6-type" : "--icmp-type", v6 ? icmp6Type() : icmpType());
            if (explicit) {
                r.segments.add(seg);
            } else {
                r.implicit.add(seg);
            }
        } else {
            comment(r);
        }
    }

    private String portSpec(int proto) {
        int a = port();
        int b = port();
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        return switch (rnd.nextInt(8)) {
            case 0 -> service(proto);
            case 1 -> lo + ":" + hi;
            case 2 -> ":" + hi;
            case 3 -> lo + ":";
            case 4 -> lo + ":" + lo;
            case 5 -> service(proto) + ":" + (Names.servicePort(service(proto), proto) < 40000 ? "40000" : "65535");
            default -> Integer.toString(a);
        };
    }

    private int port() {
        return rnd.nextInt(4) == 0 ? rnd.nextInt(1024) : rnd.nextInt(65536);
    }

    private String service(int proto) {
        return proto == 6 ? pick("ssh", "http", "https", "smtp", "domain", "ftp", "telnet", "imap2", "pop3", "www")
                : pick("domain", "ntp", "bootps", "bootpc", "syslog", "snmp", "tftp");
    }

    private static final String[] FLAGS = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};

    private int lastMask;

    private String flags(boolean mask) {
        if (mask) {
            lastMask = 1 + rnd.nextInt(63);
            if (lastMask == 63 && rnd.nextBoolean()) {
                return pick("ALL", "all");
            }
            return flagList(lastMask);
        }
        int comp = rnd.nextInt(64) & lastMask;
        if (comp == 0) {
            return pick("NONE", "none");
        }
        if (comp == 63 && rnd.nextBoolean()) {
            return "ALL";
        }
        return flagList(comp);
    }

    private String flagList(int bits) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if ((bits & (1 << i)) != 0) {
                names.add(rnd.nextInt(4) == 0 ? FLAGS[i].toLowerCase(Locale.ROOT) : FLAGS[i]);
            }
        }
        Collections.shuffle(names, rnd);
        return String.join(",", names);
    }

    private String icmpType() {
        return switch (rnd.nextInt(5)) {
            case 0 -> Integer.toString(rnd.nextInt(20));
            case 1 -> rnd.nextInt(20) + "/" + rnd.nextInt(16);
            case 2 -> pick("any", "255");
            default -> caseMix(pick("echo-request", "echo-reply", "destination-unreachable", "port-unreachable",
                    "host-unreachable", "fragmentation-needed", "time-exceeded", "ttl-zero-during-transit",
                    "parameter-problem", "source-quench", "redirect", "host-redirect", "router-advertisement",
                    "router-solicitation", "timestamp-request", "address-mask-reply", "ping", "pong", "network-prohibited",
                    "TOS-host-unreachable", "communication-prohibited"));
        };
    }

    private String icmp6Type() {
        return switch (rnd.nextInt(4)) {
            case 0 -> Integer.toString(rnd.nextInt(256));
            case 1 -> (1 + rnd.nextInt(4)) + "/" + rnd.nextInt(8);
            default -> caseMix(pick("echo-request", "echo-reply", "destination-unreachable", "packet-too-big",
                    "time-exceeded", "parameter-problem", "router-solicitation", "router-advertisement",
                    "neighbour-solicitation", "neighbor-advertisement", "redirect", "port-unreachable", "no-route",
                    "address-unreachable", "bad-header", "unknown-option", "ping", "ttl-exceeded"));
        };
    }

    private void multiport(RuleParts r) {
        if (r.proto != 6 && r.proto != 17 || r.multiport || !r.implicit.isEmpty()) {
            comment(r);
            return;
        }
        r.multiport = true;
        List<String> seg = module("multiport");
        int n = 1 + rnd.nextInt(6);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(4)) {
                case 0 -> items.add(service(r.proto));
                case 1 -> {
                    int a = rnd.nextInt(65535);
                    items.add(a + ":" + (a + 1 + rnd.nextInt(65535 - a)));
                }
                default -> items.add(Integer.toString(port()));
            }
        }
        opt(seg, true, pick("--dports", "--destination-ports", "--sports", "--source-ports", "--ports"),
                String.join(",", items));
        r.segments.add(seg);
    }

    private void state(RuleParts r) {
        List<String> seg = module("state");
        opt(seg, true, "--state", states(5));
        r.segments.add(seg);
    }

    private String states(int names) {
        String[] all = {"INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT"};
        List<String> s = new ArrayList<>();
        for (int i = 0; i < names; i++) {
            if (rnd.nextInt(3) == 0) {
                String n = all[i];
                if (rnd.nextInt(6) == 0 && i != 5) {
                    n = n.substring(0, 3); // an abbreviation iptables accepts
                }
                s.add(caseMix(n));
            }
        }
        if (s.isEmpty()) {
            s.add(pick("NEW", "established"));
        }
        Collections.shuffle(s, rnd);
        return String.join(",", s);
    }

    private void conntrack(RuleParts r) {
        List<String> seg = module("conntrack");
        int n = 1 + rnd.nextInt(4);
        boolean proto = false;
        for (int i = 0; i < n; i++) {
            switch (rnd.nextInt(8)) {
                case 0 -> opt(seg, true, "--ctstate", states(7));
                case 1 -> {
                    if (!proto) {
                        proto = true;
                        opt(seg, true, "--ctproto", pick("tcp", "udp", "6", "17", "TCP"));
                        if (rnd.nextBoolean()) {
                            int a = port();
                            opt(seg, true, pick("--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport",
                                    "--ctrepldstport"), rnd.nextBoolean() ? Integer.toString(a) : a + ":" + (a + rnd.nextInt(65536 - a)));
                        }
                    }
                }
                case 2 -> opt(seg, true, pick("--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst"),
                        v6 ? Inet.formatV6(randomV6()).toUpperCase(Locale.ROOT) + pick("", "/64", "/128", "/" + rnd.nextInt(129))
                                : Inet.formatV4(rnd.nextInt()) + pick("", "/24", "/32", "/" + rnd.nextInt(33),
                                "/255.255.0.0"));
                case 3 -> opt(seg, true, "--ctstatus", pick("NONE", "assured", "EXPECTED,SEEN_REPLY",
                        "CONFIRMED,ASSURED", "seen_reply,expected,confirmed"));
                case 4 -> {
                    int a = rnd.nextInt(100000);
                    opt(seg, true, "--ctexpire", rnd.nextBoolean() ? Integer.toString(a) : a + ":" + (a + rnd.nextInt(3)));
                }
                case 5 -> opt(seg, false, "--ctdir", pick("ORIGINAL", "reply", "Reply", "original"));
                default -> opt(seg, true, "--ctstate", states(7));
            }
        }
        dedupe(seg);
        r.segments.add(seg);
    }

    /** Drops a repeated option (with its arguments) from a segment: each may be given once. */
    private static void dedupe(List<String> seg) {
        List<String> seen = new ArrayList<>();
        List<String> out = new ArrayList<>(seg.subList(0, 2));
        int i = 2;
        while (i < seg.size()) {
            int start = i;
            if (seg.get(i).equals("!")) {
                i++;
            }
            String name = seg.get(i++);
            while (i < seg.size() && !seg.get(i).equals("!") && !seg.get(i).startsWith("--")) {
                i++;
            }
            if (!seen.contains(name)) {
                seen.add(name);
                out.addAll(seg.subList(start, i));
            }
        }
        seg.clear();
        seg.addAll(out);
    }

    private byte[] randomV6() {
        byte[] b = new byte[16];
        rnd.nextBytes(b);
        return b;
    }

    private static final String TEXT = "abcdefXYZ0189 _-/:.,'\"\\@%+=()[]{}~!?*#^éü€";

    private String text(int min, int max) {
        int n = min + rnd.nextInt(max - min + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(rnd.nextInt(3) == 0 ? TEXT.charAt(rnd.nextInt(TEXT.length())) : (char) ('a' + rnd.nextInt(26)));
        }
        return sb.toString();
    }

    /** A string value as someone might write it: bare when possible, else (or sometimes anyway) quoted. */
    private String quote(String v) {
        boolean needs = v.isEmpty() || v.startsWith("-") || v.equals("!");
        for (char c : v.toCharArray()) {
            if (c == ' ' || c == '"' || c == '\\' || c == '\t') {
                needs = true;
            }
        }
        if (!needs && rnd.nextInt(3) != 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\' || (c == '\'' && rnd.nextBoolean())) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    private void comment(RuleParts r) {
        List<String> seg = module("comment");
        String v = rnd.nextInt(20) == 0 ? "c".repeat(250 + rnd.nextInt(20)) : text(0, 30);
        seg.add("--comment");
        seg.add(quote(v));
        r.segments.add(seg);
    }

    private void limit(RuleParts r) {
        List<String> seg = module("limit");
        if (rnd.nextInt(5) != 0) {
            seg.add("--limit");
            seg.add(rate(10000));
        }
        if (rnd.nextBoolean()) {
            seg.add("--limit-burst");
            seg.add(Integer.toString(rnd.nextBoolean() ? 5 : 1 + rnd.nextInt(1000)));
        }
        r.segments.add(seg);
    }

    private String rate(int maxPerSecond) {
        String unit = pick("", "/s", "/sec", "/second", "/m", "/min", "/minute", "/h", "/hour", "/d", "/day", "/Minute",
                "/SEC", "/hou");
        int max = unit.isEmpty() || unit.toLowerCase(Locale.ROOT).startsWith("/s") ? maxPerSecond : 100000;
        return (1 + rnd.nextInt(Math.min(max, rnd.nextBoolean() ? 100 : max))) + unit;
    }

    private void mac(RuleParts r) {
        if (!r.slot.in()) {
            comment(r);
            return;
        }
        List<String> seg = module("mac");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            int b = rnd.nextInt(256);
            String h = rnd.nextInt(4) == 0 ? Integer.toHexString(b) : String.format("%02x", b);
            sb.append(i > 0 ? ":" : "").append(rnd.nextBoolean() ? h.toUpperCase(Locale.ROOT) : h);
        }
        opt(seg, true, "--mac-source", sb.toString());
        r.segments.add(seg);
    }

    private String u32() {
        long v = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt() & 0xffffffffL;
        return rnd.nextBoolean() ? Long.toString(v) : (rnd.nextBoolean() ? "0x" : "0X") + Long.toHexString(v);
    }

    private void mark(RuleParts r) {
        List<String> seg = module(pick("mark", "connmark"));
        opt(seg, true, "--mark", u32() + (rnd.nextBoolean() ? "/" + u32() : ""));
        r.segments.add(seg);
    }

    private void addrtype(RuleParts r) {
        List<String> seg = module("addrtype");
        String[] types = v6 ? new String[] {"UNSPEC", "UNICAST", "LOCAL", "ANYCAST", "MULTICAST", "UNREACHABLE"}
                : new String[] {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE",
                    "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"};
        for (String o : new String[] {"--src-type", "--dst-type"}) {
            if (rnd.nextBoolean() || (o.equals("--dst-type") && seg.size() == 2)) {
                List<String> t = new ArrayList<>();
                int n = 1 + rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    String x = caseMix(types[rnd.nextInt(types.length)]);
                    if (!t.contains(x)) {
                        t.add(x);
                    }
                }
                opt(seg, true, o, String.join(",", t));
            }
        }
        if (rnd.nextInt(4) == 0) {
            if (r.slot.chain.equals("INPUT") || r.slot.chain.equals("PREROUTING")) {
                seg.add("--limit-iface-in");
            } else if (r.slot.chain.equals("OUTPUT") || r.slot.chain.equals("POSTROUTING")) {
                seg.add("--limit-iface-out");
            }
        }
        r.segments.add(seg);
    }

    private void iprange(RuleParts r) {
        List<String> seg = module("iprange");
        for (String o : new String[] {"--src-range", "--dst-range"}) {
            if (rnd.nextBoolean() || (o.equals("--dst-range") && seg.size() == 2)) {
                String v;
                if (v6) {
                    byte[] a = randomV6();
                    byte[] b = a.clone();
                    b[15] = (byte) 0xff;
                    a[15] = 0;
                    v = Inet.formatV6(a).toUpperCase(Locale.ROOT) + (rnd.nextInt(4) == 0 ? "" : "-" + Inet.formatV6(b));
                } else {
                    int a = rnd.nextInt() & 0x7fffff00;
                    v = Inet.formatV4(a) + (rnd.nextInt(4) == 0 ? "" : "-" + Inet.formatV4(a + rnd.nextInt(256)));
                }
                opt(seg, true, o, v);
            }
        }
        r.segments.add(seg);
    }

    private void pkttype(RuleParts r) {
        List<String> seg = module("pkttype");
        opt(seg, true, "--pkt-type", caseMix(pick("unicast", "host", "broadcast", "multicast", "otherhost")));
        r.segments.add(seg);
    }

    private void recent(RuleParts r) {
        List<String> seg = module("recent");
        String cmd = pick("--set", "--rcheck", "--update", "--remove");
        opt(seg, true, cmd);
        if (cmd.equals("--rcheck") || cmd.equals("--update")) {
            if (rnd.nextBoolean()) {
                seg.add("--seconds");
                seg.add(Integer.toString(1 + rnd.nextInt(3600)));
                if (rnd.nextBoolean()) {
                    seg.add("--reap");
                }
            }
            if (rnd.nextBoolean()) {
                seg.add("--hitcount");
                seg.add(Integer.toString(1 + rnd.nextInt(20)));
            }
            if (rnd.nextBoolean()) {
                seg.add("--rttl");
            }
        }
        if (rnd.nextBoolean()) {
            seg.add("--name");
            seg.add(pick("ssh", "scan", "x", "DEFAULT", "portscan"));
        }
        if (rnd.nextBoolean()) {
            seg.add("--mask");
            seg.add(v6 ? Inet.formatV6(Inet.maskV6(rnd.nextInt(129))) : Inet.formatV4(Inet.maskV4(rnd.nextInt(33))));
        }
        if (rnd.nextBoolean()) {
            seg.add(pick("--rsource", "--rdest"));
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    /** Shuffles the options of a module segment, keeping each option with its ! and arguments. */
    private void shuffleOptions(List<String> seg) {
        List<List<String>> opts = new ArrayList<>();
        int i = 2;
        while (i < seg.size()) {
            List<String> o = new ArrayList<>();
            if (seg.get(i).equals("!")) {
                o.add(seg.get(i++));
            }
            o.add(seg.get(i++));
            while (i < seg.size() && !seg.get(i).equals("!") && !seg.get(i).startsWith("--")) {
                o.add(seg.get(i++));
            }
            opts.add(o);
        }
        Collections.shuffle(opts, rnd);
        List<String> head = new ArrayList<>(seg.subList(0, 2));
        seg.clear();
        seg.addAll(head);
        opts.forEach(seg::addAll);
    }

    private void hashlimit(RuleParts r) {
        List<String> seg = module("hashlimit");
        String rate = rate(1000000);
        if (rate.contains("/d")) {
            rate = (100 + rnd.nextInt(1000)) + rate.substring(rate.indexOf('/')); // slow rates overflow the kernel's credits
        }
        opt(seg, true, pick("--hashlimit-upto", "--hashlimit-above", "--hashlimit"), rate);
        seg.add("--hashlimit-name");
        seg.add("h" + (unique++));
        if (rnd.nextBoolean()) {
            seg.add("--hashlimit-burst");
            seg.add(Integer.toString(rnd.nextBoolean() ? 5 : 1 + rnd.nextInt(100)));
        }
        if (rnd.nextBoolean()) {
            List<String> m = new ArrayList<>(List.of("srcip", "srcport", "dstip", "dstport"));
            Collections.shuffle(m, rnd);
            seg.add("--hashlimit-mode");
            seg.add(String.join(",", m.subList(0, 1 + rnd.nextInt(4))));
        }
        int full = v6 ? 128 : 32;
        for (String o : new String[] {"--hashlimit-srcmask", "--hashlimit-dstmask"}) {
            if (rnd.nextInt(3) == 0) {
                seg.add(o);
                seg.add(Integer.toString(rnd.nextBoolean() ? full : rnd.nextInt(full + 1)));
            }
        }
        for (String o : new String[] {"--hashlimit-htable-size", "--hashlimit-htable-max"}) {
            if (rnd.nextInt(4) == 0) {
                seg.add(o);
                seg.add(Integer.toString(1 + rnd.nextInt(100000)));
            }
        }
        if (rnd.nextInt(4) == 0) {
            seg.add("--hashlimit-htable-gcinterval");
            seg.add(pick("1000", "500", "2000"));
        }
        if (rnd.nextInt(3) == 0) {
            seg.add("--hashlimit-htable-expire");
            seg.add(pick("1000", "60000", "3600000", "86400000", "10000", "5"));
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    private void connlimit(RuleParts r) {
        List<String> seg = module("connlimit");
        opt(seg, true, pick("--connlimit-upto", "--connlimit-above"), Integer.toString(rnd.nextInt(100)));
        if (rnd.nextBoolean()) {
            seg.add("--connlimit-mask");
            seg.add(Integer.toString(rnd.nextInt(v6 ? 129 : 33)));
        }
        if (rnd.nextBoolean()) {
            seg.add(pick("--connlimit-saddr", "--connlimit-daddr"));
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    private void owner(RuleParts r) {
        if (!r.slot.chain.equals("OUTPUT") && !r.slot.chain.equals("POSTROUTING")) {
            comment(r);
            return;
        }
        List<String> seg = module("owner");
        if (rnd.nextInt(3) == 0) {
            opt(seg, true, "--socket-exists");
        }
        if (rnd.nextBoolean() || seg.size() == 2) {
            opt(seg, true, "--uid-owner", id());
        }
        if (rnd.nextBoolean()) {
            opt(seg, true, "--gid-owner", id());
        }
        shuffleOptions(seg);
        if (seg.contains("--gid-owner") && rnd.nextBoolean()) {
            seg.add("--suppl-groups"); // only after --gid-owner
        }
        r.segments.add(seg);
    }

    private String id() {
        int a = rnd.nextInt(70000);
        return switch (rnd.nextInt(4)) {
            case 0 -> "root";
            case 1 -> a + "-" + (a + rnd.nextInt(1000));
            case 2 -> a + "-" + a;
            default -> Integer.toString(a);
        };
    }

    private void ttl(RuleParts r) {
        String m = v6 ? "hl" : "ttl";
        List<String> seg = module(m);
        String o = pick("-eq", "-lt", "-gt");
        opt(seg, o.equals("-eq"), "--" + m + o, Integer.toString(rnd.nextInt(256)));
        r.segments.add(seg);
    }

    private void length(RuleParts r) {
        List<String> seg = module("length");
        int a = rnd.nextInt(1500);
        int b = a + rnd.nextInt(2000);
        opt(seg, true, "--length", pick(a + "", a + ":" + b, ":" + b, a + ":", a + ":" + a));
        r.segments.add(seg);
    }

    private void statistic(RuleParts r) {
        List<String> seg = module("statistic");
        if (rnd.nextBoolean()) {
            seg.add("--mode");
            seg.add("random");
            opt(seg, true, "--probability", pick("0.5", "0.25", "0.1", "0.333", "0.0001", "1", "0", "0.99999", ".5",
                    "0.123456789", "1.0"));
        } else {
            seg.add("--mode");
            seg.add("nth");
            int every = 2 + rnd.nextInt(10);
            opt(seg, true, "--every", Integer.toString(every));
            seg.add("--packet");
            seg.add(Integer.toString(rnd.nextInt(every)));
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    private void tos(RuleParts r) {
        r.avoidTo = true;
        List<String> seg = module("tos");
        opt(seg, true, "--tos", tosValue());
        r.segments.add(seg);
    }

    private String tosValue() {
        return switch (rnd.nextInt(4)) {
            case 0 -> caseMix(pick("Minimize-Delay", "Maximize-Throughput", "Maximize-Reliability", "Minimize-Cost",
                    "Normal-Service"));
            case 1 -> Integer.toString(rnd.nextInt(256));
            case 2 -> "0x" + Integer.toHexString(rnd.nextInt(256)) + "/0x" + Integer.toHexString(rnd.nextInt(256));
            default -> "0x" + Integer.toHexString(rnd.nextInt(256));
        };
    }

    private void dscp(RuleParts r) {
        List<String> seg = module("dscp");
        if (rnd.nextBoolean()) {
            opt(seg, true, "--dscp", rnd.nextBoolean() ? Integer.toString(rnd.nextInt(64)) : "0x" + Integer.toHexString(rnd.nextInt(64)));
        } else {
            opt(seg, true, "--dscp-class", dscpClass());
        }
        r.segments.add(seg);
    }

    private String dscpClass() {
        return caseMix(pick("EF", "BE", "CS0", "CS3", "CS7", "AF11", "AF21", "AF33", "AF43", "af41"));
    }

    private void string(RuleParts r) {
        r.avoidTo = true;
        List<String> seg = module("string");
        opt(seg, true, "--string", quote(text(1, 20)));
        seg.add("--algo");
        seg.add(pick("bm", "kmp"));
        if (rnd.nextBoolean()) {
            seg.add("--from");
            seg.add(Integer.toString(rnd.nextInt(100)));
        }
        if (rnd.nextBoolean()) {
            seg.add("--to");
            seg.add(Integer.toString(rnd.nextBoolean() ? 65535 : 100 + rnd.nextInt(1000)));
        }
        if (rnd.nextBoolean()) {
            seg.add("--icase");
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    private void helper(RuleParts r) {
        if (has(r, "helper")) {
            // a second helper match takes the first one's --helper when the target sits between them: refused
            return;
        }
        List<String> seg = module("helper");
        opt(seg, true, "--helper", quote(pick("ftp", "sip", "irc", "tftp", "ftp-21")));
        r.segments.add(seg);
    }

    private void time(RuleParts r) {
        List<String> seg = module("time");
        boolean contiguous = rnd.nextInt(5) == 0;
        if (contiguous) {
            seg.add("--timestart");
            seg.add("2" + rnd.nextInt(4) + ":00");
            seg.add("--timestop");
            seg.add("0" + rnd.nextInt(10) + ":30:00");
            seg.add("--contiguous");
        }
        if (!contiguous && rnd.nextBoolean()) {
            seg.add("--timestart");
            seg.add(clock());
        }
        if (!contiguous && rnd.nextBoolean()) {
            seg.add("--timestop");
            seg.add(clock());
        }
        if (rnd.nextBoolean()) {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                int day = rnd.nextInt(7);
                String s = rnd.nextBoolean() ? new String[] {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}[day]
                        : Integer.toString(day + 1);
                if (!d.contains(s)) {
                    d.add(s);
                }
            }
            opt(seg, true, "--weekdays", String.join(",", d));
        }
        if (rnd.nextInt(3) == 0) {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                String s = Integer.toString(1 + rnd.nextInt(31));
                if (!d.contains(s)) {
                    d.add(s);
                }
            }
            opt(seg, true, "--monthdays", String.join(",", d));
        }
        if (rnd.nextInt(3) == 0) {
            seg.add("--datestart");
            seg.add(date());
        }
        if (rnd.nextInt(3) == 0) {
            seg.add("--datestop");
            seg.add(date());
        }
        if (rnd.nextInt(4) == 0) {
            seg.add(pick("--kerneltz", "--utc"));
        }
        if (seg.size() == 2) {
            seg.add("--utc");
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    private String clock() {
        int h = rnd.nextInt(24);
        int m = rnd.nextInt(60);
        return rnd.nextBoolean() ? h + ":" + String.format("%02d", m) : String.format("%02d:%02d:%02d", h, m, rnd.nextInt(60));
    }

    private String date() {
        int y = 1990 + rnd.nextInt(45);
        String d = String.format("%04d-%02d-%02d", y, 1 + rnd.nextInt(12), 1 + rnd.nextInt(28));
        return switch (rnd.nextInt(3)) {
            case 0 -> d;
            case 1 -> d + String.format("T%02d:%02d", rnd.nextInt(24), rnd.nextInt(60));
            default -> d + String.format("T%02d:%02d:%02d", rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60));
        };
    }

    private void physdev(RuleParts r) {
        if (!r.slot.chain.equals("FORWARD")) {
            comment(r);
            return;
        }
        List<String> seg = module("physdev");
        if (rnd.nextBoolean()) {
            opt(seg, true, "--physdev-in", pick("eth0", "br+", "veth1"));
        }
        if (rnd.nextBoolean()) {
            opt(seg, true, "--physdev-out", pick("eth1", "tap+"));
        }
        if (rnd.nextBoolean() || seg.size() == 2) {
            opt(seg, true, pick("--physdev-is-bridged", "--physdev-is-in", "--physdev-is-out"));
        }
        shuffleOptions(seg);
        r.segments.add(seg);
    }

    // ------------------------------------------------------------------ targets

    private void target(RuleParts r) {
        String t = r.slot.table;
        String c = r.slot.chain;
        List<String> seg = new ArrayList<>();
        String j = pick("-j", "-j", "--jump");
        int k = rnd.nextInt(10);
        if (k < 3) {
            seg.add(j);
            seg.add(t.equals("nat") ? pick("ACCEPT", "RETURN") : pick("ACCEPT", "DROP", "RETURN"));
        } else if (t.equals("filter")) {
            switch (k) {
                case 3 -> {
                    seg.add(rnd.nextBoolean() ? "-g" : j);
                    seg.add("ks-target");
                }
                case 4, 5 -> reject(r, seg, j);
                case 6 -> log(seg, j);
                case 7 -> nflog(seg, j);
                case 8 -> {
                    seg.add(j);
                    seg.add("NFQUEUE");
                    if (rnd.nextBoolean()) {
                        seg.add("--queue-num");
                        seg.add(Integer.toString(rnd.nextInt(100)));
                    }
                    if (rnd.nextBoolean()) {
                        seg.add("--queue-bypass");
                    }
                }
                default -> log(seg, j);
            }
        } else if (t.equals("nat")) {
            nat(r, seg, j);
        } else if (t.equals("mangle")) {
            mangle(r, seg, j);
        } else {
            raw(r, seg, j);
        }
        if (!seg.isEmpty()) {
            r.segments.add(seg);
        }
    }

    private void reject(RuleParts r, List<String> seg, String j) {
        seg.add(j);
        seg.add("REJECT");
        if (rnd.nextInt(4) == 0) {
            return;
        }
        List<String> types = new ArrayList<>(v6
                ? List.of("icmp6-no-route", "no-route", "icmp6-adm-prohibited", "adm-prohibited", "icmp6-addr-unreachable",
                        "addr-unreach", "icmp6-port-unreachable", "port-unreach", "icmp6-policy-fail", "policy-fail",
                        "icmp6-reject-route", "reject-route", "ICMP6-ADM-PROHIBITED")
                : List.of("icmp-net-unreachable", "net-unreach", "icmp-host-unreachable", "host-unreach",
                        "icmp-proto-unreachable", "proto-unreach", "icmp-port-unreachable", "port-unreach",
                        "icmp-net-prohibited", "net-prohib", "icmp-host-prohibited", "host-prohib",
                        "icmp-admin-prohibited", "admin-prohib", "ICMP-HOST-PROHIBITED", "icmp-admin"));
        if (r.proto == 6) {
            types.add("tcp-reset");
            if (!v6) {
                types.add("tcp-rst");
            }
        }
        seg.add("--reject-with");
        seg.add(types.get(rnd.nextInt(types.size())));
    }

    private void log(List<String> seg, String j) {
        seg.add(j);
        seg.add("LOG");
        List<List<String>> opts = new ArrayList<>();
        if (rnd.nextInt(4) != 0) {
            opts.add(List.of("--log-prefix", quote(logPrefix())));
        }
        if (rnd.nextBoolean()) {
            opts.add(List.of("--log-level", pick("0", "1", "2", "3", "4", "5", "6", "7", "emerg", "alert", "crit",
                    "error", "warning", "notice", "info", "debug", "panic")));
        }
        for (String f : new String[] {"--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid",
            "--log-macdecode"}) {
            if (rnd.nextInt(4) == 0) {
                opts.add(List.of(f));
            }
        }
        Collections.shuffle(opts, rnd);
        opts.forEach(seg::addAll);
    }

    /** A LOG prefix whose truncation to 29 bytes does not cut a character in half (that case is left to the kernel). */
    private String logPrefix() {
        while (true) {
            String p = text(1, 35);
            byte[] b = p.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length <= 29 || (b[29] & 0xC0) != 0x80) {
                return p;
            }
        }
    }

    private void nflog(List<String> seg, String j) {
        seg.add(j);
        seg.add("NFLOG");
        List<List<String>> opts = new ArrayList<>();
        if (rnd.nextBoolean()) {
            opts.add(List.of("--nflog-group", Integer.toString(rnd.nextBoolean() ? 0 : rnd.nextInt(65536))));
        }
        if (rnd.nextBoolean()) {
            opts.add(List.of("--nflog-prefix", quote(text(1, 40))));
        }
        if (rnd.nextInt(3) == 0) {
            opts.add(List.of("--nflog-threshold", Integer.toString(rnd.nextInt(10))));
        }
        if (rnd.nextInt(3) == 0) {
            opts.add(List.of("--nflog-size", Integer.toString(rnd.nextInt(2000))));
        }
        Collections.shuffle(opts, rnd);
        opts.forEach(seg::addAll);
    }

    private void nat(RuleParts r, List<String> seg, String j) {
        String c = r.slot.chain;
        boolean ports = r.proto == 6 || r.proto == 17;
        r.protoFirst |= ports; // NAT port options check -p when they are read
        String to;
        if (c.equals("POSTROUTING")) {
            if (rnd.nextBoolean()) {
                seg.add(j);
                seg.add("MASQUERADE");
                if (ports && rnd.nextBoolean()) {
                    int a = 1024 + rnd.nextInt(30000);
                    seg.add("--to-ports");
                    seg.add(rnd.nextBoolean() ? Integer.toString(a) : a + "-" + (a + rnd.nextInt(3000)));
                }
                if (rnd.nextInt(3) == 0) {
                    seg.add(pick("--random", "--random-fully"));
                }
                return;
            }
            seg.add(j);
            seg.add("SNAT");
            to = r.avoidTo ? "--to-source" : pick("--to-source", "--to");
        } else {
            if (ports && rnd.nextInt(3) == 0) {
                seg.add(j);
                seg.add("REDIRECT");
                int a = 1 + rnd.nextInt(60000);
                seg.add(r.avoidTo ? "--to-ports" : pick("--to-ports", "--to-port"));
                seg.add(rnd.nextBoolean() ? Integer.toString(a) : a + "-" + (a + rnd.nextInt(3000)));
                if (rnd.nextInt(3) == 0) {
                    seg.add("--random");
                }
                return;
            }
            seg.add(j);
            seg.add("DNAT");
            to = r.avoidTo ? "--to-destination" : pick("--to-destination", "--to");
        }
        seg.add(to);
        String addr;
        if (v6) {
            byte[] a = randomV6();
            a[15] = 1;
            String s = Inet.formatV6(a).toUpperCase(Locale.ROOT);
            if (rnd.nextBoolean()) {
                byte[] b = a.clone();
                b[15] = 9;
                s = s + "-" + Inet.formatV6(b);
            }
            addr = s;
            if (ports && rnd.nextBoolean()) {
                int p = 1 + rnd.nextInt(60000);
                addr = "[" + s + "]:" + (rnd.nextBoolean() ? p : p + "-" + (p + rnd.nextInt(100)));
            }
        } else {
            int a = rnd.nextInt() & 0x7fffff00;
            addr = Inet.formatV4(a + 1) + (rnd.nextBoolean() ? "-" + Inet.formatV4(a + 2 + rnd.nextInt(200)) : "");
            if (ports && rnd.nextBoolean()) {
                int p = 1 + rnd.nextInt(60000);
                addr = addr + ":" + (rnd.nextBoolean() ? p : p + "-" + (p + rnd.nextInt(100)));
            }
        }
        seg.add(addr);
        for (String f : new String[] {"--random", "--random-fully", "--persistent"}) {
            if (rnd.nextInt(4) == 0 && (seg.contains("SNAT") || !f.equals("--random-fully"))) {
                seg.add(f);
            }
        }
    }

    private void mangle(RuleParts r, List<String> seg, String j) {
        String c = r.slot.chain;
        int k = rnd.nextInt(8);
        if (k == 0 && c.equals("PREROUTING") && (r.proto == 6 || r.proto == 17)) {
            seg.add(j);
            seg.add("TPROXY");
            List<List<String>> opts = new ArrayList<>();
            opts.add(List.of("--on-port", Integer.toString(rnd.nextInt(65536))));
            if (rnd.nextBoolean()) {
                opts.add(List.of("--on-ip", v6 ? Inet.formatV6(randomV6()).toUpperCase(Locale.ROOT) : Inet.formatV4(rnd.nextInt())));
            }
            if (rnd.nextBoolean()) {
                opts.add(List.of("--tproxy-mark", u32() + (rnd.nextBoolean() ? "/" + u32() : "")));
            }
            Collections.shuffle(opts, rnd);
            opts.forEach(seg::addAll);
            return;
        }
        if (k == 1 && r.proto == 6 && !c.equals("PREROUTING")) {
            seg.add(j);
            seg.add("TCPMSS");
            if (rnd.nextBoolean()) {
                seg.add("--set-mss");
                seg.add(Integer.toString(536 + rnd.nextInt(1000)));
            } else {
                seg.add("--clamp-mss-to-pmtu");
            }
            return;
        }
        switch (k) {
            case 2 -> {
                seg.add(j);
                seg.add("CONNMARK");
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        seg.add(pick("--save-mark", "--restore-mark"));
                        if (rnd.nextBoolean()) {
                            seg.add("--mask");
                            seg.add(u32());
                        } else if (rnd.nextBoolean()) {
                            seg.add("--nfmask");
                            seg.add(u32());
                            if (rnd.nextBoolean()) {
                                seg.add("--ctmask");
                                seg.add(u32());
                            }
                        }
                    }
                    default -> markOp(seg);
                }
            }
            case 3 -> {
                seg.add(j);
                seg.add("TOS");
                String op = pick("--set-tos", "--and-tos", "--or-tos", "--xor-tos");
                seg.add(op);
                seg.add(op.equals("--set-tos") ? tosValue() : "0x" + Integer.toHexString(rnd.nextInt(256)));
            }
            case 4 -> {
                seg.add(j);
                seg.add("DSCP");
                if (rnd.nextBoolean()) {
                    seg.add("--set-dscp");
                    seg.add(Integer.toString(rnd.nextInt(64)));
                } else {
                    seg.add("--set-dscp-class");
                    seg.add(dscpClass());
                }
            }
            case 5 -> {
                if (r.proto == 17) {
                    seg.add(j);
                    seg.add("CHECKSUM");
                    seg.add("--checksum-fill");
                } else {
                    log(seg, j);
                }
            }
            default -> {
                seg.add(j);
                seg.add("MARK");
                markOp(seg);
            }
        }
    }

    private void markOp(List<String> seg) {
        String op = pick("--set-mark", "--set-xmark", "--and-mark", "--or-mark", "--xor-mark");
        seg.add(op);
        boolean mask = (op.equals("--set-mark") || op.equals("--set-xmark")) && rnd.nextBoolean();
        seg.add(u32() + (mask ? "/" + u32() : ""));
    }

    private void raw(RuleParts r, List<String> seg, String j) {
        switch (rnd.nextInt(5)) {
            case 0 -> {
                seg.add(j);
                seg.add("NOTRACK");
            }
            case 1 -> {
                seg.add(j);
                seg.add("CT");
                seg.add("--notrack");
            }
            case 2 -> {
                seg.add(j);
                seg.add("CT");
                seg.add("--zone");
                seg.add(Integer.toString(rnd.nextInt(65536)));
            }
            case 3 -> {
                if (r.proto == 6) {
                    seg.add(j);
                    seg.add("CT");
                    seg.add("--helper");
                    seg.add("ftp");
                } else {
                    seg.add(j);
                    seg.add("TRACE");
                }
            }
            default -> {
                seg.add(j);
                seg.add("TRACE");
            }
        }
    }

    // ------------------------------------------------------------------ small things

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[rnd.nextInt(options.length)];
    }

    private <T> T pick(List<T> options) {
        return options.get(rnd.nextInt(options.size()));
    }

    private String neg(int oneIn) {
        return rnd.nextInt(oneIn) == 0 ? "!" : "";
    }

    private String caseMix(String s) {
        return switch (rnd.nextInt(4)) {
            case 0 -> s.toLowerCase(Locale.ROOT);
            case 1 -> s.toUpperCase(Locale.ROOT);
            default -> s;
        };
    }
}
