package dev.killswitch.agent.rules;

import dev.killswitch.agent.rules.Tokenizer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Canonicalises rules in pure Java: the text of every rule it knows is exactly what iptables-save 1.8.9
 * (nf_tables backend) prints after iptables-restore loaded the rule. Modules and targets it does not
 * know are passed through (tokens kept, {@code !} placed before the option, quoting re-applied) and
 * their rules carry {@code known=false}.
 *
 * <p>A strict instance validates desired rules (addresses, ports, names, no shell metacharacters);
 * {@link #observing()} reads what the kernel printed and leaves policy checks aside.
 */
public final class BuiltinCanonicalizer implements Canonicalizer {

    private static final BuiltinCanonicalizer OBSERVING = new BuiltinCanonicalizer(false);

    /** From this many rules to parse, all cores work; below it the pool's start costs more (a kill switch has ~30). */
    static final int PARALLEL_FROM = 512;

    /** Rules canonicalised in one piece of work on a core (~0.2 ms). */
    static final int SLICE = 256;

    private final boolean strict;

    /** The strict canonicaliser for desired rules. */
    public BuiltinCanonicalizer() {
        this(true);
    }

    private BuiltinCanonicalizer(boolean strict) {
        this.strict = strict;
    }

    /** A lenient instance for text the kernel printed (iptables-save output, dumps): no policy checks. */
    public static BuiltinCanonicalizer observing() {
        return OBSERVING;
    }

    @Override
    public Ruleset canonicalize(RawRuleset raw) {
        return canonicalize(raw, false);
    }

    /** True when every rule of {@code raw} is fully understood, so the builtin text can be trusted. */
    public boolean knows(RawRuleset raw) {
        return allKnown(canonicalize(raw));
    }

    /** True when every rule of the ruleset is {@code known}. */
    public static boolean allKnown(Ruleset rs) {
        for (Table t : rs.tables().values()) {
            for (Chain c : t.chains().values()) {
                for (Rule r : c.rules()) {
                    if (!r.known()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * @param keepText use each raw rule's own text as the rule text (it is kernel output); a rule whose
     *                 builtin rendering differs is marked unknown
     */
    Ruleset canonicalize(RawRuleset raw, boolean keepText) {
        return canonicalize(raw, keepText, null);
    }

    /**
     * @param digests {@link TextDigests} of the text {@code raw} was read from, being worked out (null: none); a
     *                table keeps them only when each of its raw rules became one rule, with the raw text
     */
    Ruleset canonicalize(RawRuleset raw, boolean keepText, Future<Map<String, byte[]>> digests) {
        return keepText ? kept(raw, digests) : walked(raw);
    }

    /** Desired rules, each read by the full walk (or {@link OnePass}), a large ruleset's on every core. */
    private Ruleset walked(RawRuleset raw) {
        Parsed parsed = Parsed.of(this, raw);
        Map<String, Table> tables = new LinkedHashMap<>();
        for (RawTable rt : raw.tables().values()) {
            checkTable(rt);
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (RawChain rc : rt.chains().values()) {
                if (strict) {
                    checkChainName(rc.name(), rc.origin(), "chain");
                }
                List<Rule> whole = parsed.chain(rc.rules().size());
                if (whole != null) {
                    // every rule made on another core, one each: the chain copies them in one go
                    chains.put(rc.name(), new Chain(rc.name(), rc.policy(), whole));
                    continue;
                }
                List<Rule> rules = new ArrayList<>(rc.rules().size());
                for (RawRule rr : rc.rules()) {
                    Rule one = parsed.single();
                    if (one != null) {
                        rules.add(one); // made on another core: the walk does not look inside it
                        continue;
                    }
                    rules.addAll(parsed.next(this, rr, raw.family(), rt.name()));
                }
                chains.put(rc.name(), new Chain(rc.name(), rc.policy(), rules));
            }
            tables.put(rt.name(), new Table(rt.name(), chains, null));
        }
        return new Ruleset(raw.family(), tables);
    }

    private static void checkTable(RawTable rt) {
        if (!Table.isTable(rt.name())) {
            Origin o = rt.chains().isEmpty() ? Origin.unknown() : rt.chains().values().iterator().next().origin();
            throw new InputError(o, "unknown table '" + rt.name() + "'");
        }
    }

    /**
     * Kernel text, each rule kept as printed: a large table's chains are read on every core (a chain's rules are
     * mostly kept as text to be parsed on first use, see {@link Rule#readableLater}; the rest are parsed here).
     */
    private Ruleset kept(RawRuleset raw, Future<Map<String, byte[]>> digests) {
        Map<String, Table> tables = new LinkedHashMap<>();
        boolean cores = Runtime.getRuntime().availableProcessors() >= 2;
        for (RawTable rt : raw.tables().values()) {
            checkTable(rt);
            List<RawChain> raws = List.copyOf(rt.chains().values());
            int rawRules = 0;
            for (RawChain rc : raws) {
                if (strict) {
                    checkChainName(rc.name(), rc.origin(), "chain");
                }
                rawRules += rc.rules().size();
            }
            List<Rule>[] made = kept(raws, raw.family(), rt.name(), cores && rawRules >= PARALLEL_FROM);
            Map<String, Chain> chains = new LinkedHashMap<>();
            int count = 0;
            for (int i = 0; i < raws.size(); i++) {
                RawChain rc = raws.get(i);
                chains.put(rc.name(), new Chain(rc.name(), rc.policy(), made[i]));
                count += made[i].size();
            }
            // the text digest hashed the lines: the same text as the table's unless an address list expanded
            tables.put(rt.name(), new Table(rt.name(), chains, count == rawRules ? digests : null));
        }
        return new Ruleset(raw.family(), tables);
    }

    @SuppressWarnings("unchecked")
    private List<Rule>[] kept(List<RawChain> raws, Family family, String table, boolean parallel) {
        List<Rule>[] made = new List[raws.size()];
        Cores.each(raws.size(), parallel ? 1 : Integer.MAX_VALUE, i -> {
            List<RawRule> in = raws.get(i).rules();
            List<Rule> rules = new ArrayList<>(in.size());
            for (int k = 0; k < in.size(); k++) { // indexed: no iterator per chain on the hot path
                RawRule rr = in.get(k);
                if (Rule.readableLater(rr)) {
                    // kernel text is its own canonical form: parse it only if someone looks inside
                    rules.add(Rule.parsedLater(rr, family, table));
                    continue;
                }
                List<Rule> out = rules(rr, family, table);
                if (out.size() == 1) {
                    Rule r = out.get(0);
                    String text = rr.args();
                    rules.add(new Rule(r.core(), r.matches(), r.target(), r.known() && r.text().equals(text), text));
                } else {
                    rules.addAll(out);
                }
            }
            made[i] = rules;
        });
        return made;
    }

    /**
     * Large rulesets are canonicalised on every core before the ordered walk uses the results; each
     * rule is independent. A rule's error is kept and thrown when the walk reaches it, so the error
     * reported is the one an ordered pass meets first.
     */
    private static final class Parsed {
        /** Per rule, in walk order: its one rule when it became one, else null. */
        private final Rule[] singles;
        /** Per rule, in walk order: its rules when several, or the exception it threw. */
        private final Object[] results;
        private int next;

        private Parsed(Rule[] singles, Object[] results) {
            this.singles = singles;
            this.results = results;
        }

        static Parsed of(BuiltinCanonicalizer c, RawRuleset raw) {
            int n = 0;
            for (RawTable rt : raw.tables().values()) {
                for (RawChain rc : rt.chains().values()) {
                    n += rc.rules().size();
                }
            }
            if (n < PARALLEL_FROM || Runtime.getRuntime().availableProcessors() < 2) {
                return new Parsed(null, null);
            }
            RawRule[] rules = new RawRule[n];
            String[] tables = new String[n];
            int k = 0;
            for (RawTable rt : raw.tables().values()) {
                if (!Table.isTable(rt.name())) {
                    break; // the walk stops there
                }
                for (RawChain rc : rt.chains().values()) {
                    for (RawRule rr : rc.rules()) {
                        rules[k] = rr;
                        tables[k++] = rt.name();
                    }
                }
            }
            // a typed array of the usual one-rule results, so the walk copies references without reading
            // objects that sit in the other core's cache
            Rule[] singles = new Rule[k];
            Object[] results = new Object[k];
            Cores.each(k, SLICE, j -> {
                try {
                    List<Rule> out = c.rules(rules[j], raw.family(), tables[j]);
                    if (out.size() == 1) {
                        singles[j] = out.get(0);
                    } else {
                        results[j] = out;
                    }
                } catch (RuntimeException e) {
                    results[j] = e;
                }
            });
            return new Parsed(singles, results);
        }

        /** The walk's next {@code n} rules when each was parsed ahead into one rule (all taken, a view), else null. */
        List<Rule> chain(int n) {
            if (singles == null || n == 0 || next + n > singles.length) {
                return null;
            }
            for (int k = next; k < next + n; k++) {
                if (singles[k] == null) {
                    return null;
                }
            }
            List<Rule> out = java.util.Arrays.asList(singles).subList(next, next + n);
            next += n;
            return out;
        }

        /** The walk's next parsed rule when it was parsed ahead into one rule (taken), else null (not taken). */
        Rule single() {
            Rule r = singles == null ? null : singles[next];
            if (r != null) {
                next++;
            }
            return r;
        }

        /** The rules of the walk's next parsed rule, {@code rr}, when {@link #single} had none. */
        @SuppressWarnings("unchecked")
        List<Rule> next(BuiltinCanonicalizer c, RawRule rr, Family family, String table) {
            if (results == null) {
                return c.rules(rr, family, table);
            }
            Object r = results[next++];
            if (r instanceof RuntimeException e) {
                throw e;
            }
            return (List<Rule>) r;
        }
    }

    /**
     * The canonical rules one raw rule becomes (several when -s/-d carry comma lists).
     *
     * @throws InputError naming the raw rule's origin and the option at fault
     */
    public List<Rule> rules(RawRule raw, Family family, String table) {
        if (strict) {
            Rule one = OnePass.rule(raw.args(), family, table, raw.origin());
            if (one != null) {
                return List.of(one);
            }
        }
        return walk(raw, family, table);
    }

    /** The canonical rules of {@code raw} by the full getopt walk. */
    List<Rule> walk(RawRule raw, Family family, String table) {
        RuleContext ctx = new RuleContext(family, table, strict, raw.origin());
        Tokenizer.Tokens<Token> tokens = Tokenizer.tokenize(raw.args(), raw.origin());
        if (strict) {
            return new Parse(tokens, ctx).rules();
        }
        try {
            return new Parse(tokens, ctx).rules();
        } catch (InputError e) {
            // the kernel printed it, so it is valid; keep it as written and let the kernel vouch for it
            return List.of(Parse.passThrough(tokens));
        }
    }

    // ------------------------------------------------------------------ checks shared with extensions

    /** Refuses shell metacharacters and control characters in any argument of a desired rule. */
    static void checkToken(String text, RuleContext ctx, String option) {
        // log prefixes only ever reach the kernel log, quoted; real rulesets use "&" and ">" in them
        boolean prefix = option.endsWith("-prefix");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!prefix && shellMeta(c)) {
                throw ctx.error(option, "refusing shell metacharacter '" + c + "' in " + option);
            }
            if (c < 0x20 || c == 0x7f) {
                String name = c == '\n' ? "newline" : c == 0 ? "NUL" : c == '\r' ? "carriage return"
                        : c == '\t' ? "tab" : String.format("U+%04X", (int) c);
                throw ctx.error(option, "refusing control character (" + name + ") in " + option);
            }
        }
    }

    /** {@code ` $ ; | & < >}. */
    static boolean shellMeta(char c) {
        return c == '`' || c == '$' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>';
    }

    /** Interface names: at most 15 characters; strict also wants {@code [A-Za-z0-9_.:+-]}, '+' only last. */
    static void checkInterface(String name, RuleContext ctx, String option) {
        if (name.isEmpty() || name.length() > 15) {
            throw ctx.error(option, "bad interface name '" + name + "' (1-15 characters)");
        }
        if (!ctx.strict) {
            return;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '-' || (c == '+' && i == name.length() - 1);
            if (!ok) {
                throw ctx.error(option, "bad interface name '" + name + "': only letters, digits, _ . : - "
                        + "and a trailing + wildcard are allowed");
            }
        }
    }

    static void checkChainName(String name, Origin origin, String what) {
        String why = chainNameProblem(name);
        if (why != null) {
            throw new InputError(origin, "bad " + what + " name '" + name + "': " + why);
        }
    }

    static String chainNameProblem(String name) {
        if (name.isEmpty() || name.length() > 28) {
            return "1-28 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // the characters real rulesets use in chain names (ufw's GOOD~STUFF), none of them special to a shell
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "_.-~+:@%".indexOf(c) >= 0;
            if (!ok) {
                return "only letters, digits and _ . - ~ + : @ % are allowed";
            }
        }
        if (name.charAt(0) == '-') {
            return "must not start with '-'";
        }
        return null;
    }

    /** A -p value as a protocol number (0 = all); -1 when unsure (octal or hex spelling). */
    static int protocolNumber(String v, RuleContext ctx, String option) {
        if (Extension.allDigits(v) || v.startsWith("0x") || v.startsWith("0X")) {
            long n = Extension.number(v, 255, ctx, option);
            return (int) n;
        }
        int n = Names.protocolNumber(v.toLowerCase(java.util.Locale.ROOT));
        if (n < 0) {
            throw ctx.error(option, "unknown protocol '" + v + "'");
        }
        return n;
    }

    // ------------------------------------------------------------------ the parse of one rule

    /** One loaded extension of the rule being parsed: a match, the target, or stray options. */
    private static final class Loaded {
        final Extension ext;
        final String name;
        final Extension.Options given = new Extension.Options();
        /** Options of an unknown extension, as written. */
        final List<Opt> generic;

        Loaded(Extension ext, String name) {
            this.ext = ext;
            this.name = name;
            this.generic = ext == null ? new ArrayList<>(2) : List.of();
        }
    }

    /** The getopt-like walk over one rule's tokens, modelled on iptables' do_parse. */
    private static final class Parse {
        private final List<Token> t;
        private final RuleContext ctx;
        /** Whether tokens must be checked for shell metacharacters and control characters. */
        private final boolean check;
        private int i;
        private boolean invert;

        private List<String> src = List.of();
        private List<String> dst = List.of();
        private String srcSpelling;
        private String dstSpelling;
        private boolean srcNeg;
        private boolean dstNeg;
        private String in;
        private String out;
        private boolean inNeg;
        private boolean outNeg;
        private String proto;
        private boolean protoGiven;
        private boolean fragment;
        private boolean fragmentNeg;
        private boolean fragmentGiven;

        private final List<Loaded> matches = new ArrayList<>(4);
        private Loaded target;
        private String targetName;
        private boolean goTo;
        /** Every extension in load order, the target included. */
        private final List<Loaded> loaded = new ArrayList<>(5);
        /** The first instance of each extension name, in the order getopt merged their options. */
        private final List<Loaded> merged = new ArrayList<>(5);
        private boolean implicitDone;
        /** Options nobody claims, or null for none. */
        private List<Opt> strays;

        Parse(Tokenizer.Tokens<Token> tokens, RuleContext ctx) {
            this.t = tokens;
            this.ctx = ctx;
            // the tokenizer saw every character: tokens without a suspect one need no check each
            this.check = ctx.strict && tokens.suspect();
        }

        List<Rule> rules() {
            while (i < t.size()) {
                Token tok = t.get(i);
                if (tok.isBang()) {
                    if (invert) {
                        throw ctx.error("!", "multiple consecutive ! are not allowed");
                    }
                    invert = true;
                    i++;
                    continue;
                }
                String s = tok.text();
                if (check) {
                    checkToken(s, ctx, s);
                }
                if (tok.quoted() || s.length() < 2 || s.charAt(0) != '-') {
                    throw ctx.error(s, "unexpected argument '" + s + "'");
                }
                i++;
                option(s);
                invert = false;
            }
            if (invert) {
                throw ctx.error("!", "! at the end of the rule negates nothing");
            }
            return build();
        }

        private void option(String s) {
            switch (s) {
                case "-s", "--source", "--src" -> {
                    once(srcSpelling, s);
                    srcSpelling = s;
                    srcNeg = invert;
                    src = items(arg(s));
                }
                case "-d", "--destination", "--dst" -> {
                    once(dstSpelling, s);
                    dstSpelling = s;
                    dstNeg = invert;
                    dst = items(arg(s));
                }
                case "-i", "--in-interface" -> {
                    once(in, s);
                    inNeg = invert;
                    in = arg(s);
                    checkInterface(in, ctx, "-i");
                }
                case "-o", "--out-interface" -> {
                    once(out, s);
                    outNeg = invert;
                    out = arg(s);
                    checkInterface(out, ctx, "-o");
                }
                case "-p", "--protocol" -> {
                    once(protoGiven ? "" : null, s);
                    protoGiven = true;
                    ctx.protocolNegated = invert;
                    proto = arg(s);
                    int n = protocolNumber(proto, ctx, "-p");
                    if (n < 0) {
                        ctx.protocol = -1;
                    } else {
                        ctx.protocol = n;
                        if (n == 0 && invert) {
                            throw ctx.error("-p", "'! -p " + proto + "' never matches");
                        }
                    }
                }
                case "-f", "--fragments" -> {
                    once(fragmentGiven ? "" : null, s);
                    if (ctx.ipv6()) {
                        throw ctx.error("-f", "-f is not supported in IPv6 (use -m frag)");
                    }
                    fragmentGiven = true;
                    fragment = true;
                    fragmentNeg = invert;
                }
                case "-m", "--match" -> {
                    if (invert) {
                        throw ctx.error("-m", "unexpected ! before -m");
                    }
                    String name = arg(s);
                    if (ctx.strict && !Quoting.isBare(name)) {
                        throw ctx.error("-m", "bad module name '" + name + "'");
                    }
                    Extension ext = Matches.get(name);
                    if (ext != null && !ext.supports(ctx.family)) {
                        ext = null;
                    }
                    Loaded l = new Loaded(ext, name);
                    matches.add(l);
                    load(l);
                }
                case "-j", "--jump", "-g", "--goto" -> jump(s);
                case "-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-C", "--check",
                     "-N", "--new-chain", "-X", "--delete-chain", "-F", "--flush", "-Z", "--zero", "-P", "--policy",
                     "-E", "--rename-chain", "-L", "--list", "-S", "--list-rules" -> throw ctx.error(s,
                        s + " does not belong in a rule: the chain comes from where the rule is written");
                case "-t", "--table" -> throw ctx.error(s,
                        s + " does not belong in a rule: the table comes from where the rule is written");
                default -> extensionOption(s);
            }
        }

        /** The items of an -s/-d comma list. */
        private static List<String> items(String v) {
            return v.indexOf(',') < 0 ? List.of(v) : java.util.Arrays.asList(v.split(",", -1));
        }

        /** Records a newly loaded extension; a module loaded again does not merge its options again. */
        private void load(Loaded l) {
            loaded.add(l);
            for (int k = 0; k < merged.size(); k++) {
                Loaded m = merged.get(k);
                if (m.name != null && m.name.equals(l.name) && m != target && l != target) {
                    return;
                }
            }
            merged.add(l);
        }

        /** The latest instance of the extension {@code first} is the first instance of. */
        private Loaded latest(Loaded first) {
            if (first == target) {
                return first;
            }
            for (int k = loaded.size() - 1; k >= 0; k--) {
                Loaded l = loaded.get(k);
                if (l != target && l.name != null && l.name.equals(first.name)) {
                    return l;
                }
            }
            return first;
        }

        private void once(String previous, String option) {
            if (previous != null) {
                throw ctx.error(option, "multiple " + option + " options are not allowed");
            }
        }

        private String arg(String option) {
            if (i >= t.size()) {
                throw ctx.error(option, "option " + option + " requires an argument");
            }
            String v = t.get(i++).text();
            if (check) {
                checkToken(v, ctx, option);
            }
            return v;
        }

        private void jump(String s) {
            if (invert) {
                throw ctx.error(s, "unexpected ! before " + s);
            }
            if (targetName != null) {
                throw ctx.error(s, "multiple -j/-g options are not allowed");
            }
            String name = arg(s);
            if (name.equals("DROP") && ctx.table.equals("nat")) {
                throw ctx.error(s, "the nat table is not for filtering: DROP is not allowed there");
            }
            targetName = Target.shared(name);
            goTo = s.equals("-g") || s.equals("--goto");
            Extension ext = goTo ? null : Targets.get(name);
            boolean extension = !goTo && Targets.EXTENSIONS.contains(name);
            if (!extension && ctx.strict) {
                String why = chainNameProblem(name);
                if (why != null) {
                    throw ctx.error(s, "bad chain name '" + name + "': " + why);
                }
            }
            if (extension || ext != null) {
                target = new Loaded(ext, name);
                load(target);
            }
        }

        private void extensionOption(String s) {
            if (s.indexOf('=') >= 0 || !s.startsWith("--")) {
                // --opt=value and bundled short options are getopt features we do not model
                ctx.unsure();
                stray(s);
                return;
            }
            // getopt looks the name up in a table where the extension merged last comes first (an exact
            // name before an abbreviation); the option then goes to that extension's latest instance,
            // since loading a module again closes its earlier instances
            Loaded owner = null;
            Extension.Spec spec = null;
            for (int pass = 0; pass < 2 && owner == null; pass++) {
                for (int k = merged.size() - 1; k >= 0 && owner == null; k--) {
                    Loaded l = merged.get(k);
                    if (l.ext == null) {
                        if (pass == 0) {
                            owner = latest(l); // an unknown extension may own anything; the rule is unsure anyway
                        }
                    } else if (l.ext.spec(s) != null && l.ext.spec(s).abbreviation() == (pass == 1)) {
                        owner = latest(l);
                        spec = l.ext.spec(s);
                    }
                }
            }
            if (owner == null && !implicitDone && ctx.protocol > 0 && !ctx.protocolNegated) {
                Extension implicit = Matches.implicitFor(ctx.protocol, ctx.family);
                if (implicit != null && implicit.spec(s) != null && !implicit.spec(s).abbreviation()) {
                    owner = new Loaded(implicit, implicit.name);
                    spec = implicit.spec(s);
                    matches.add(owner);
                    load(owner);
                    implicitDone = true;
                }
            }
            if (owner == null) {
                ctx.unsure(); // unknown option or an abbreviation: the kernel decides
                stray(s);
                return;
            }
            if (owner.ext == null) {
                genericOption(owner, s);
                return;
            }
            if (spec.abbreviation()) {
                for (int k = 0; k < loaded.size(); k++) {
                    Loaded l = loaded.get(k);
                    if (l != owner && (l.ext == null || l.ext.clashes(s))) {
                        ctx.unsure();
                    }
                }
            }
            if (invert && !spec.invertible()) {
                throw ctx.error(s, "option " + s + " cannot be negated");
            }
            if (owner.given.has(spec.name())) {
                ctx.unsure(); // most options may be given once only; the kernel says which
            }
            List<Token> args;
            if (spec.args() == 1) {
                args = List.of(argument(s, spec));
            } else {
                args = new ArrayList<>(spec.args());
                for (int k = 0; k < spec.args(); k++) {
                    args.add(argument(s, spec));
                }
            }
            int protoNow = ctx.protocolNegated || ctx.protocol < 0 ? 0 : ctx.protocol;
            owner.given.list.add(new Extension.Given(spec, s, invert, args, protoNow));
        }

        /** The next argument of the extension option {@code s}. */
        private Token argument(String s, Extension.Spec spec) {
            if (i >= t.size()) {
                throw ctx.error(s, "option " + s + " requires " + (spec.args() == 1 ? "an argument"
                        : spec.args() + " arguments"));
            }
            Token a = t.get(i++);
            if (check) {
                checkToken(a.text(), ctx, s);
            }
            return a;
        }

        /** Options nobody claims: kept as written, after the core options. */
        private void stray(String s) {
            if (strays == null) {
                strays = new ArrayList<>(2);
            }
            genericOption(strays, s);
        }

        /** An option of an unknown extension: its arguments run to the next option or {@code !}. */
        private void genericOption(Loaded l, String s) {
            genericOption(l.generic, s);
        }

        private void genericOption(List<Opt> into, String s) {
            boolean neg = invert;
            List<String> args = new ArrayList<>(1);
            if (i < t.size() && t.get(i).isBang() && i + 1 < t.size() && !optionLike(t.get(i + 1))) {
                neg = !neg; // "--opt ! value", the old intrapositioned negation
                i++;
            }
            while (i < t.size() && !t.get(i).isBang() && !optionLike(t.get(i))) {
                Token a = t.get(i++);
                if (check) {
                    checkToken(a.text(), ctx, s);
                }
                args.add(Quoting.asRead(a));
            }
            into.add(new Opt(s, neg, args));
        }

        private static boolean optionLike(Token a) {
            String s = a.text();
            return !a.quoted() && s.length() > 1 && s.charAt(0) == '-' && !(s.charAt(1) >= '0' && s.charAt(1) <= '9');
        }

        // ---------------------------------------------------------------- building the rule

        private List<Rule> build() {
            List<Opt> tail = new ArrayList<>(4);
            if (in != null && !(in.equals("+") && !inNeg)) {
                tail.add(new Opt("-i", inNeg, List.of(in)));
            }
            if (out != null && !(out.equals("+") && !outNeg)) {
                tail.add(new Opt("-o", outNeg, List.of(out)));
            }
            if (protoGiven) {
                if (ctx.protocol < 0) {
                    tail.add(new Opt("-p", ctx.protocolNegated, List.of(proto)));
                } else if (ctx.protocol > 0) {
                    tail.add(new Opt("-p", ctx.protocolNegated, List.of(Names.protocolName(ctx.protocol))));
                }
            }
            if (fragment) {
                tail.add(new Opt("-f", fragmentNeg, List.of()));
            }
            if (strays != null) {
                tail.addAll(strays);
            }

            List<Match> ms = new ArrayList<>(matches.size());
            int protoMatches = 0;
            for (int k = 0; k < matches.size(); k++) {
                Loaded l = matches.get(k);
                if (l.ext == null) {
                    ctx.unsure();
                    ms.add(new Match(l.name, l.generic));
                    continue;
                }
                switch (l.name) {
                    case "tcp", "udp", "sctp", "icmp", "icmp6" -> protoMatches++;
                    default -> { }
                }
                List<Opt> opts = new ArrayList<>(4);
                l.ext.canonical(l.given, ctx, opts);
                ms.add(new Match(l.name, opts));
            }
            if (protoMatches > 1) {
                ctx.unsure(); // nft merges several protocol matches into one
            }
            Target tg = null;
            if (targetName != null) {
                if (target == null) {
                    tg = goTo ? new Target(true, targetName, List.of()) : Target.jump(targetName);
                } else if (target.ext == null) {
                    ctx.unsure();
                    tg = new Target(false, targetName, target.generic);
                } else {
                    List<Opt> opts = new ArrayList<>(4);
                    target.ext.canonical(target.given, ctx, opts);
                    tg = new Target(false, targetName, opts);
                }
            }

            if ((srcNeg || dstNeg) && (src.size() > 1 || dst.size() > 1)) {
                throw ctx.error(srcNeg ? "-s" : "-d", "! is not allowed when -s or -d lists several addresses");
            }
            List<String> srcs = addresses(src, srcNeg, srcSpelling, "-s");
            List<String> dsts = addresses(dst, dstNeg, dstSpelling, "-d");
            if (srcs.size() == 1 && dsts.size() == 1) {
                return List.of(rule(srcs.get(0), dsts.get(0), tail, ms, tg));
            }
            List<Rule> rules = new ArrayList<>(srcs.size() * dsts.size());
            for (String s : srcs) {
                for (String d : dsts) {
                    rules.add(rule(s, d, tail, ms, tg));
                }
            }
            return rules;
        }

        private Rule rule(String s, String d, List<Opt> tail, List<Match> ms, Target tg) {
            // built immutable at its final size, so the rule keeps this list instead of copying it
            Opt[] core = new Opt[(s.isEmpty() ? 0 : 1) + (d.isEmpty() ? 0 : 1) + tail.size()];
            int k = 0;
            if (!s.isEmpty()) {
                core[k++] = new Opt("-s", srcNeg, List.of(s));
            }
            if (!d.isEmpty()) {
                core[k++] = new Opt("-d", dstNeg, List.of(d));
            }
            for (int j = 0; j < tail.size(); j++) {
                core[k++] = tail.get(j);
            }
            return new Rule(List.of(core), ms, tg, !ctx.unsure);
        }

        /** The printed addresses of a comma list; "" stands for "anything" (no option printed). */
        private List<String> addresses(List<String> items, boolean neg, String spelling, String option) {
            if (items.isEmpty()) {
                return List.of("");
            }
            String[] out = new String[items.size()];
            for (int k = 0; k < out.length; k++) {
                String item = items.get(k);
                if (item.isEmpty()) {
                    throw ctx.error(option, "empty address in '" + String.join(",", items) + "'");
                }
                String a = Inet.coreAddress(item, ctx.ipv6(), neg, ctx, option);
                out[k] = a == null ? item : a;
            }
            return java.util.Arrays.asList(out);
        }

        /** A rule exactly as written, for kernel text the builtin model cannot read (known=false). */
        static Rule passThrough(List<Token> tokens) {
            List<Opt> core = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<List<Opt>> lists = new ArrayList<>();
            String tName = null;
            boolean tGoto = false;
            List<Opt> tOpts = new ArrayList<>();
            List<Opt> current = core;
            boolean neg = false;
            for (int k = 0; k < tokens.size(); k++) {
                Token tok = tokens.get(k);
                if (tok.isBang()) {
                    neg = true;
                    continue;
                }
                String s = tok.text();
                if ((s.equals("-m") || s.equals("-j") || s.equals("-g")) && k + 1 < tokens.size()) {
                    String name = tokens.get(++k).text();
                    if (s.equals("-m")) {
                        current = new ArrayList<>();
                        names.add(name);
                        lists.add(current);
                    } else {
                        tName = name;
                        tGoto = s.equals("-g");
                        current = tOpts;
                    }
                    neg = false;
                    continue;
                }
                List<String> args = new ArrayList<>(1);
                while (k + 1 < tokens.size() && !tokens.get(k + 1).isBang() && !optionLike(tokens.get(k + 1))) {
                    args.add(Quoting.asRead(tokens.get(++k)));
                }
                current.add(new Opt(s, neg, args));
                neg = false;
            }
            List<Match> matches = new ArrayList<>(names.size());
            for (int k = 0; k < names.size(); k++) {
                matches.add(new Match(names.get(k), lists.get(k)));
            }
            Target tg = tName == null ? null : new Target(tGoto, tName, tOpts);
            return new Rule(core, matches, tg, false);
        }
    }
}
