package dev.killswitch.agent.rules;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pass over a desired rule written in the grammar most rules are written in, straight to its canonical rule:
 * an address each for -s and -d, interfaces, -p tcp or udp, their ports or services, multiport lists, conntrack or
 * state lists, a comment, and ACCEPT, DROP, RETURN or a chain as the last option; each at most once, nothing negated.
 * The values go through the same readers the full walk uses. A rule with anything else in it, or anything the full
 * walk would refuse or doubt, is not taken (null): the full getopt walk reads it and words any error.
 * {@code OnePassTest} holds this pass to the full walk's rule for every rule it takes.
 */
final class OnePass {
    /** More tokens than a rule of this grammar has. */
    private static final int MAX_TOKENS = 32;

    private static final int TCP = 0;
    private static final int UDP = 1;
    private static final int MULTIPORT = 2;
    private static final int CONNTRACK = 3;
    private static final int STATE = 4;
    private static final int COMMENT = 5;
    private static final String[] MODULES = {"tcp", "udp", "multiport", "conntrack", "state", "comment"};

    /** Printed state lists by the list as written, conntrack's and state's: rulesets repeat a few lists many times. */
    private static final Map<String, String> CTSTATES = new ConcurrentHashMap<>();
    private static final Map<String, String> STATES = new ConcurrentHashMap<>();
    /** Lists kept at most, per module: more than the spellings of the few lists a ruleset uses. */
    private static final int MEMO = 64;

    private final String text;
    private final RuleContext ctx;
    private final int[] at = new int[2 * MAX_TOKENS];
    private int tokens;

    /** -s, -d, -i and -o as written, by option (SRC, DST, IN, OUT); null when not given. */
    private final String[] written = new String[4];
    /** The -p protocol: 6, 17, or 0 when none was given. */
    private int proto;
    /** The modules in the order they were loaded (a tcp or udp one maybe by its first port option). */
    private final int[] loaded = new int[MODULES.length];
    private int modules;
    /** Per module, its option's canonical name and value (tcp and udp: --sport, then --dport). */
    private String sport;
    private String dport;
    private String listName;
    private String list;
    private String states;
    private String comment;
    private Target target;

    private OnePass(String text, RuleContext ctx) {
        this.text = text;
        this.ctx = ctx;
    }

    /** The canonical rule of a desired rule's text, or null when the full walk has to read it. */
    static Rule rule(String text, Family family, String table, Origin origin) {
        if (!table.equals("filter") || text.length() >= Tokenizer.MAX_PARAM) {
            return null;
        }
        OnePass p = new OnePass(text, new RuleContext(family, table, true, origin));
        try {
            return p.split() && p.walk() ? p.build() : null;
        } catch (InputError e) {
            return null; // the full walk words it, at the first fault in its own order
        }
    }

    /** What a byte of the text is to {@link #split}: one table lookup per character. */
    private static final byte[] KIND = new byte[256];
    private static final byte PLAIN = 0;
    private static final byte SEPARATOR = 1;
    private static final byte QUOTE = 2;
    /**
     * A character this pass leaves to the full walk: control characters, shell metacharacters, \\ and ', anything
     * not ASCII, and '?', which stands for a character Latin-1 cannot hold in the bytes {@link #split} reads.
     */
    private static final byte REFUSED = 3;

    static {
        for (int c = 0; c < 256; c++) {
            KIND[c] = Tokenizer.isSeparator((char) c) ? SEPARATOR : c == '"' ? QUOTE
                    : c < 0x20 || c >= 0x7f || c == '\\' || c == '\'' || c == '?'
                    || BuiltinCanonicalizer.shellMeta((char) c) ? REFUSED : PLAIN;
        }
    }

    /** Cuts the text into tokens: printable ASCII without shell metacharacters, quotes only around a whole token. */
    private boolean split() {
        // bytes: a plain array is scanned faster than charAt, and Latin-1 text is copied as it is
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        int n = b.length;
        int i = 0;
        while (true) {
            while (i < n && KIND[b[i] & 0xff] == SEPARATOR) {
                i++;
            }
            if (i == n) {
                return true;
            }
            if (tokens == MAX_TOKENS) {
                return false;
            }
            int start = i;
            for (; i < n; i++) {
                int k = KIND[b[i] & 0xff];
                if (k == SEPARATOR) {
                    break;
                }
                if (k == REFUSED || k == QUOTE && i != start && i + 1 < n && KIND[b[i + 1] & 0xff] != SEPARATOR) {
                    return false;
                }
            }
            at[2 * tokens] = start;
            at[2 * tokens + 1] = i;
            tokens++;
        }
    }

    private boolean is(int k, String word) {
        int start = at[2 * k];
        return at[2 * k + 1] - start == word.length() && text.startsWith(word, start);
    }

    private boolean quoted(int k) {
        return text.charAt(at[2 * k]) == '"' || text.charAt(at[2 * k + 1] - 1) == '"';
    }

    private String token(int k) {
        return text.substring(at[2 * k], at[2 * k + 1]);
    }

    // the options of this grammar
    private static final int NONE = 0;
    private static final int SRC = 1;
    private static final int DST = 2;
    private static final int IN = 3;
    private static final int OUT = 4;
    private static final int PROTO = 5;
    private static final int MATCH = 6;
    private static final int JUMP = 7;
    private static final int GOTO = 8;
    private static final int SPORT = 9;
    private static final int DPORT = 10;
    private static final int SPORTS = 11;
    private static final int DPORTS = 12;
    private static final int PORTS = 13;
    private static final int CTSTATE = 14;
    private static final int STATE_OPTION = 15;
    private static final int COMMENT_OPTION = 16;

    /** Long spellings by length: a token is compared with the few of its length only. */
    private static final String[][] LONG = new String[32][];
    private static final int[][] LONG_CODE = new int[32][];

    static {
        Object[] spellings = {"--source", SRC, "--src", SRC, "--destination", DST, "--dst", DST, "--in-interface", IN,
            "--out-interface", OUT, "--protocol", PROTO, "--match", MATCH, "--jump", JUMP, "--goto", GOTO,
            "--sport", SPORT, "--source-port", SPORT, "--dport", DPORT, "--destination-port", DPORT,
            "--sports", SPORTS, "--source-ports", SPORTS, "--dports", DPORTS, "--destination-ports", DPORTS,
            "--ports", PORTS, "--ctstate", CTSTATE, "--state", STATE_OPTION, "--comment", COMMENT_OPTION};
        for (int k = 0; k < spellings.length; k += 2) {
            String w = (String) spellings[k];
            int len = w.length();
            String[] words = LONG[len] == null ? new String[0] : LONG[len];
            int[] codes = LONG_CODE[len] == null ? new int[0] : LONG_CODE[len];
            LONG[len] = Arrays.copyOf(words, words.length + 1);
            LONG[len][words.length] = w;
            LONG_CODE[len] = Arrays.copyOf(codes, codes.length + 1);
            LONG_CODE[len][codes.length] = (Integer) spellings[k + 1];
        }
    }

    /** Which option of this grammar token {@code k} is, or {@link #NONE}. */
    private int option(int k) {
        int start = at[2 * k];
        int len = at[2 * k + 1] - start;
        if (len < 2 || text.charAt(start) != '-') {
            return NONE;
        }
        if (len == 2) {
            return switch (text.charAt(start + 1)) {
                case 's' -> SRC;
                case 'd' -> DST;
                case 'i' -> IN;
                case 'o' -> OUT;
                case 'p' -> PROTO;
                case 'm' -> MATCH;
                case 'j' -> JUMP;
                case 'g' -> GOTO;
                default -> NONE;
            };
        }
        String[] words = len < LONG.length ? LONG[len] : null;
        if (words != null && text.charAt(start + 1) == '-') {
            for (int w = 0; w < words.length; w++) {
                if (text.startsWith(words[w], start)) {
                    return LONG_CODE[len][w];
                }
            }
        }
        return NONE;
    }

    private boolean walk() {
        for (int k = 0; k < tokens; k += 2) {
            int v = k + 1;
            int option = option(k);
            if (v == tokens || option == NONE || is(v, "!") || (quoted(v) && option != COMMENT_OPTION)) {
                return false;
            }
            switch (option) {
                case SRC, DST, IN, OUT -> {
                    if (written[option - SRC] != null) {
                        return false;
                    }
                    written[option - SRC] = token(v);
                }
                case PROTO -> {
                    if (proto != 0) {
                        return false;
                    }
                    proto = is(v, "tcp") || is(v, "6") ? 6 : is(v, "udp") || is(v, "17") ? 17 : -1;
                    if (proto < 0) {
                        return false;
                    }
                }
                case MATCH -> {
                    if (!load(v)) {
                        return false;
                    }
                }
                case SPORT, DPORT -> {
                    if (!port(option == SPORT, v)) {
                        return false;
                    }
                }
                case SPORTS, DPORTS, PORTS -> {
                    if (!has(MULTIPORT) || list != null) {
                        return false;
                    }
                    listName = option == DPORTS ? "--dports" : option == PORTS ? "--ports" : "--sports";
                    list = ports(token(v), listName);
                    if (list == null) {
                        return false;
                    }
                }
                case CTSTATE, STATE_OPTION -> {
                    boolean ct = option == CTSTATE;
                    if (!has(ct ? CONNTRACK : STATE) || states != null) {
                        return false;
                    }
                    String written = token(v);
                    Map<String, String> memo = ct ? CTSTATES : STATES;
                    states = memo.get(written);
                    if (states == null) {
                        String spelling = ct ? "--ctstate" : "--state";
                        states = Matches.stateList(Matches.states(written, ct ? 7 : 5, ctx, spelling));
                        if (memo.size() < MEMO) {
                            memo.put(written, states);
                        }
                    }
                }
                case COMMENT_OPTION -> {
                    if (!has(COMMENT) || comment != null) {
                        return false;
                    }
                    String c = token(v);
                    if (quoted(v)) {
                        if (c.length() < 3 || c.charAt(0) != '"' || c.charAt(c.length() - 1) != '"') {
                            return false;
                        }
                        c = c.substring(1, c.length() - 1);
                    }
                    if (c.length() > 255) {
                        return false;
                    }
                    comment = Quoting.saveString(c);
                }
                default -> {
                    return v + 1 == tokens && jump(option == GOTO, v);
                }
            }
        }
        return true;
    }

    private boolean has(int module) {
        for (int m = 0; m < modules; m++) {
            if (loaded[m] == module) {
                return true;
            }
        }
        return false;
    }

    /** -m NAME: a module of this grammar, once, tcp and udp only after their -p. */
    private boolean load(int v) {
        int module = -1;
        for (int m = 0; m < MODULES.length; m++) {
            if (is(v, MODULES[m])) {
                module = m;
            }
        }
        if (module < 0 || has(module) || (module == TCP || module == UDP) && has(module == TCP ? UDP : TCP)) {
            return false;
        }
        if (module == TCP && proto != 6 || module == UDP && proto != 17 || module == MULTIPORT && proto == 0) {
            return false;
        }
        loaded[modules++] = module;
        return true;
    }

    /** --sport/--dport: to the tcp or udp module, loaded by the first such option after -p when not by -m. */
    private boolean port(boolean source, int v) {
        if (has(MULTIPORT) || proto == 0) {
            return false; // multiport's --sports/--dports abbreviate to them
        }
        int module = proto == 6 ? TCP : UDP;
        if (!has(module)) {
            loaded[modules++] = module;
        }
        String value = token(v);
        if ((source ? sport : dport) != null || value.indexOf(':') >= 0) {
            return false;
        }
        int p = Ports.port(value, proto, ctx, source ? "--sport" : "--dport");
        if (p < 0) {
            return false;
        }
        if (source) {
            sport = Integer.toString(p);
        } else {
            dport = Integer.toString(p);
        }
        return true;
    }

    /** A multiport list of single ports or services, as the full walk prints it; null when not that. */
    private String ports(String value, String option) {
        StringBuilder sb = new StringBuilder(value.length());
        int count = 0;
        for (int from = 0; from <= value.length(); ) {
            int comma = value.indexOf(',', from);
            int end = comma < 0 ? value.length() : comma;
            String item = value.substring(from, end);
            if (item.isEmpty() || item.indexOf(':') >= 0 || ++count > 15) {
                return null;
            }
            int p = Ports.port(item, proto, ctx, option);
            if (p < 0) {
                return null;
            }
            sb.append(sb.length() == 0 ? "" : ",").append(p);
            from = end + 1;
        }
        return sb.toString();
    }

    /** -j or -g, the rule's last option: a verdict, or a chain (no target extension, which has options). */
    private boolean jump(boolean goTo, int v) {
        if (!goTo) {
            for (String verdict : VERDICTS) {
                if (is(v, verdict)) {
                    target = Target.jump(verdict);
                    return true;
                }
            }
        }
        String name = token(v);
        if (Targets.EXTENSIONS.contains(name) || Targets.get(name) != null
                || BuiltinCanonicalizer.chainNameProblem(name) != null) {
            return false;
        }
        target = goTo ? new Target(true, Target.shared(name), List.of()) : Target.jump(name);
        return true;
    }

    private static final String[] VERDICTS = {"ACCEPT", "DROP", "RETURN"};

    private Rule build() {
        String src = written[0];
        String dst = written[1];
        String in = written[2];
        String out = written[3];
        for (int m = 0; m < modules; m++) {
            int module = loaded[m];
            boolean empty = module == TCP || module == UDP ? sport == null && dport == null
                    : module == MULTIPORT ? list == null : module == COMMENT ? comment == null : states == null;
            if (empty) {
                return null;
            }
        }
        if (src != null && src.indexOf(',') >= 0 || dst != null && dst.indexOf(',') >= 0 || "+".equals(in)
                || "+".equals(out)) {
            return null; // lists make several rules; "-i +" is no option at all
        }
        String s = src == null ? "" : Inet.coreAddress(src, ctx.ipv6(), false, ctx, "-s");
        String d = dst == null ? "" : Inet.coreAddress(dst, ctx.ipv6(), false, ctx, "-d");
        if (s == null || d == null) {
            return null;
        }
        if (in != null) {
            BuiltinCanonicalizer.checkInterface(in, ctx, "-i");
        }
        if (out != null) {
            BuiltinCanonicalizer.checkInterface(out, ctx, "-o");
        }
        if (ctx.unsure) {
            return null;
        }
        Opt[] core = new Opt[(s.isEmpty() ? 0 : 1) + (d.isEmpty() ? 0 : 1) + (in == null ? 0 : 1)
                + (out == null ? 0 : 1) + (proto == 0 ? 0 : 1)];
        int c = 0;
        if (!s.isEmpty()) {
            core[c++] = new Opt("-s", false, List.of(s));
        }
        if (!d.isEmpty()) {
            core[c++] = new Opt("-d", false, List.of(d));
        }
        if (in != null) {
            core[c++] = new Opt("-i", false, List.of(in));
        }
        if (out != null) {
            core[c++] = new Opt("-o", false, List.of(out));
        }
        if (proto != 0) {
            core[c] = new Opt("-p", false, List.of(Names.protocolName(proto)));
        }
        Match[] matches = new Match[modules];
        for (int m = 0; m < modules; m++) {
            int module = loaded[m];
            // immutable lists of their final size: the match and the rule keep them instead of copying
            List<Opt> opts = switch (module) {
                case TCP, UDP -> sport == null ? List.of(new Opt("--dport", false, List.of(dport)))
                        : dport == null ? List.of(new Opt("--sport", false, List.of(sport)))
                        : List.of(new Opt("--sport", false, List.of(sport)), new Opt("--dport", false, List.of(dport)));
                case MULTIPORT -> List.of(new Opt(listName, false, List.of(list)));
                case CONNTRACK -> List.of(new Opt("--ctstate", false, List.of(states)));
                case STATE -> List.of(new Opt("--state", false, List.of(states)));
                default -> List.of(new Opt("--comment", false, List.of(comment)));
            };
            matches[m] = new Match(MODULES[module], opts);
        }
        return new Rule(List.of(core), List.of(matches), target, true);
    }
}
