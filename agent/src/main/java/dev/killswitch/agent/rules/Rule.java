package dev.killswitch.agent.rules;

import java.util.List;
import java.util.Objects;

/**
 * A rule in kernel-canonical form: what iptables-save prints after {@code -A CHAIN}.
 * Two rules are the same rule exactly when their {@link #text()} is equal.
 *
 * <p>A rule read from iptables-save output is identified by its text alone; its parts (core options,
 * matches, target, whether the builtin model knows it) are worked out the first time they are asked
 * for, since diff and plan need only the text and most live rules are never looked into.
 */
public final class Rule {
    /** The parts of a rule; {@code known} and the lists as in the canonical constructor. */
    private record Parts(List<Opt> core, List<Match> matches, Target target, boolean known) {
    }

    private final String text;
    /** Set at construction, or on first use for a rule read from kernel output. */
    private Parts parts;
    /** For a rule parsed on first use: what the kernel printed and where; null otherwise. */
    private final RawRule raw;
    private final Family family;
    private final String table;

    /**
     * @param core    the core options in the fixed order -s -d -i -o -p -f
     * @param matches the -m modules in canonical order
     * @param target  the target, or null for a rule without one
     * @param known   false when the builtin canonicaliser does not know every module of the rule,
     *                so its text is only as good as the spelling it was given
     * @param text    the canonical text, derived from the parts
     */
    public Rule(List<Opt> core, List<Match> matches, Target target, boolean known, String text) {
        this.parts = new Parts(List.copyOf(core), List.copyOf(matches), target, known);
        this.text = Objects.requireNonNull(text);
        this.raw = null;
        this.family = null;
        this.table = null;
    }

    public Rule(List<Opt> core, List<Match> matches, Target target, boolean known) {
        this(core, matches, target, known, render(core, matches, target));
    }

    private Rule(RawRule raw, Family family, String table) {
        this.text = raw.args();
        this.raw = raw;
        this.family = family;
        this.table = table;
    }

    /**
     * A rule whose text is exactly what the kernel printed, parsed on first use by the observing
     * canonicaliser (known only when the builtin rendering reproduces the text). Only for a raw rule
     * that is one kernel rule and that the tokenizer accepts (see {@link #readableLater}).
     */
    static Rule parsedLater(RawRule raw, Family family, String table) {
        return new Rule(raw, family, table);
    }

    /** True when parsing this kernel text later yields exactly one rule and cannot fail. */
    static boolean readableLater(RawRule raw) {
        String s = raw.args();
        // shorter than the tokenizer's limit for one parameter, and no -s/-d address list to expand
        return s.length() < Tokenizer.MAX_PARAM
                && (s.indexOf(',') < 0 || noAddressList(s) || SaveParser.expansions(raw) == 1);
    }

    /**
     * A cheap sufficient test for unquoted text: no comma-carrying word follows an -s/-d option word
     * (the only place a comma makes several kernel rules).
     */
    private static boolean noAddressList(String s) {
        if (s.indexOf('"') >= 0) {
            return false;
        }
        for (int c = s.indexOf(','); c >= 0; c = s.indexOf(',', c + 1)) {
            int start = c;
            while (start > 0 && !Tokenizer.isSeparator(s.charAt(start - 1))) {
                start--;
            }
            int end = start;
            while (end > 0 && Tokenizer.isSeparator(s.charAt(end - 1))) {
                end--;
            }
            int begin = end;
            while (begin > 0 && !Tokenizer.isSeparator(s.charAt(begin - 1))) {
                begin--;
            }
            if (addressOption(s, begin, end)) {
                return false;
            }
            // the word's other commas ask the same question
            while (c + 1 < s.length() && !Tokenizer.isSeparator(s.charAt(c + 1))) {
                c++;
            }
        }
        return true;
    }

    private static final String[] ADDRESS_OPTIONS = {"-s", "--source", "--src", "-d", "--destination", "--dst"};

    /** Whether {@code s} from {@code begin} to {@code end} is an -s/-d option word, without cutting it out. */
    private static boolean addressOption(String s, int begin, int end) {
        for (String o : ADDRESS_OPTIONS) {
            if (o.length() == end - begin && s.startsWith(o, begin)) {
                return true;
            }
        }
        return false;
    }

    private Parts parts() {
        Parts p = parts;
        if (p == null) {
            List<Rule> out = BuiltinCanonicalizer.observing().rules(raw, family, table);
            if (out.size() != 1) {
                throw new IllegalStateException("kernel rule '" + text + "' became " + out.size() + " rules");
            }
            Rule r = out.get(0);
            p = new Parts(r.core(), r.matches(), r.target(), r.known() && r.text().equals(text));
            parts = p; // immutable parts: a racing second parse computes the same value
        }
        return p;
    }

    public List<Opt> core() {
        return parts().core();
    }

    public List<Match> matches() {
        return parts().matches();
    }

    public Target target() {
        return parts().target();
    }

    public boolean known() {
        return parts().known();
    }

    public String text() {
        return text;
    }

    /** The core option with this name (-s, -d, -i, -o, -p, -f), or null. */
    public Opt coreOption(String name) {
        for (Opt o : core()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The first match of this module, or null. */
    public Match match(String module) {
        for (Match m : matches()) {
            if (m.module().equals(module)) {
                return m;
            }
        }
        return null;
    }

    /** The user chain this rule jumps or goes to, or null. */
    public String jumpChain(java.util.Set<String> userChains) {
        Target target = target();
        return target != null && userChains.contains(target.name()) ? target.name() : null;
    }

    /** One builder per thread: rendering is per rule, and the builder would otherwise be most of its garbage. */
    private static final ThreadLocal<StringBuilder> RENDERING = ThreadLocal.withInitial(() -> new StringBuilder(256));

    static String render(List<Opt> core, List<Match> matches, Target target) {
        StringBuilder sb = RENDERING.get();
        sb.setLength(0);
        appendAll(sb, core);
        for (int i = 0; i < matches.size(); i++) { // indexed: an iterator per list would be garbage per rule
            Match m = matches.get(i);
            sb.append(" -m ").append(m.module());
            appendAll(sb, m.options());
        }
        if (target != null) {
            sb.append(target.goTo() ? " -g " : " -j ").append(target.name());
            appendAll(sb, target.options());
        }
        String text = sb.length() == 0 ? "" : sb.substring(1);
        if (sb.capacity() > 4096) {
            RENDERING.remove(); // a rule with huge options: do not keep its builder
        }
        return text;
    }

    private static void appendAll(StringBuilder sb, List<Opt> options) {
        for (int i = 0; i < options.size(); i++) {
            options.get(i).appendTo(sb);
        }
    }

    /** Equal when every part is equal, as for a record of core, matches, target, known and text. */
    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Rule r && text.equals(r.text) && parts().equals(r.parts()));
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
