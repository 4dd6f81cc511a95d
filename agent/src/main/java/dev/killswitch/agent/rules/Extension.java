package dev.killswitch.agent.rules;

import dev.killswitch.agent.rules.Tokenizer.Token;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the builtin canonicaliser knows about one {@code -m} module or {@code -j} target: the options it
 * accepts and how it prints them. Subclasses turn the options as given into the options as
 * iptables-save prints them, in the module's own order and with its defaults.
 */
abstract class Extension {

    /**
     * One accepted option: canonical name, number of arguments, whether {@code !} may precede it, and
     * whether this spelling is only a getopt abbreviation (valid while no other loaded option starts with it).
     */
    record Spec(String name, int args, boolean invertible, boolean abbreviation) {
    }

    /**
     * One option as written in the rule; {@code protocol} is the -p number known when it was read
     * (0 for none or negated), since some extensions check it right then.
     */
    record Given(Spec spec, String spelling, boolean negated, List<Token> args, int protocol) {
        String arg() {
            return args.get(0).text();
        }

        String name() {
            return spec.name();
        }
    }

    /** The options given to one instance of an extension, in the order written. */
    static final class Options {
        final List<Given> list = new ArrayList<>(4);

        Given get(String name) {
            for (int i = 0; i < list.size(); i++) { // indexed: no iterator on the hot path
                Given g = list.get(i);
                if (g.spec().name().equals(name)) {
                    return g;
                }
            }
            return null;
        }

        boolean has(String name) {
            return get(name) != null;
        }

        boolean isEmpty() {
            return list.isEmpty();
        }
    }

    final String name;
    private final Map<String, Spec> bySpelling = new HashMap<>();

    Extension(String name) {
        this.name = name;
    }

    /** Declares an option with its canonical name first and any other accepted spellings after. */
    final void option(int args, boolean invertible, String canonical, String... aliases) {
        Spec s = new Spec(canonical, args, invertible, false);
        bySpelling.put(canonical, s);
        for (String a : aliases) {
            bySpelling.put(a, s);
        }
    }

    /** Accepts {@code abbreviation} for {@code canonical} the way getopt_long does: only when unambiguous. */
    final void abbreviation(String canonical, String abbreviation) {
        Spec c = bySpelling.get(canonical);
        bySpelling.put(abbreviation, new Spec(c.name(), c.args(), c.invertible(), true));
    }

    /** Every spelling of every option this extension accepts. */
    final java.util.Set<String> spellings() {
        return bySpelling.keySet();
    }

    /** True when one of this extension's spellings equals or starts with {@code spelling}. */
    final boolean clashes(String spelling) {
        for (String s : bySpelling.keySet()) {
            if (s.startsWith(spelling) && !bySpelling.get(s).abbreviation()) {
                return true;
            }
        }
        return false;
    }

    final Spec spec(String spelling) {
        return bySpelling.get(spelling);
    }

    /** True when {@code spelling} is a strict prefix of an option (getopt would take it as an abbreviation). */
    final boolean abbreviates(String spelling) {
        for (String s : bySpelling.keySet()) {
            if (s.length() > spelling.length() && s.startsWith(spelling)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this extension can be used in the family at all. */
    boolean supports(Family family) {
        return true;
    }

    /**
     * Appends the canonical options to {@code out}.
     *
     * @throws InputError for a value iptables would refuse
     */
    abstract void canonical(Options given, RuleContext ctx, List<Opt> out);

    // ---- small helpers shared by the extensions ----

    static Opt opt(String name, boolean negated, String... args) {
        return new Opt(name, negated, List.of(args));
    }

    static Opt opt(Given g, String... args) {
        return new Opt(g.name(), g.negated(), List.of(args));
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String hex2(int v) {
        String h = Integer.toHexString(v);
        return h.length() < 2 ? "0x0" + h : "0x" + h;
    }

    /**
     * An unsigned number as strtoul(…, 0) reads it, limited to decimal and 0x hex; octal-looking
     * input (leading 0) or anything else makes the rule unsure. Returns -1 when unsure.
     */
    static long number(String s, long max, RuleContext ctx, String option) {
        long v;
        if (s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            v = 0;
            for (int i = 2; i < s.length(); i++) {
                int d = Inet.hex(s.charAt(i));
                if (d < 0 || i > 18) {
                    throw ctx.error(option, "bad number '" + s + "'");
                }
                v = (v << 4) | d;
            }
            if (v > max) {
                throw ctx.error(option, "value '" + s + "' out of range (max " + max + ")");
            }
            return v;
        }
        v = Inet.decimal(s, Long.MAX_VALUE / 16);
        if (v < 0) {
            if (!s.isEmpty() && allDigits(s)) {
                ctx.unsure(); // a leading zero: strtoul would read octal
                return -1;
            }
            throw ctx.error(option, "bad number '" + s + "'");
        }
        if (v > max) {
            throw ctx.error(option, "value '" + s + "' out of range (max " + max + ")");
        }
        return v;
    }

    static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /** {@code value[/mask]} of 32-bit numbers; the mask defaults to {@code defaultMask}. Null when unsure. */
    static long[] valueMask(String s, long defaultMask, RuleContext ctx, String option) {
        int slash = s.indexOf('/');
        String v = slash < 0 ? s : s.substring(0, slash);
        long value = number(v, 0xffffffffL, ctx, option);
        long mask = slash < 0 ? defaultMask : number(s.substring(slash + 1), 0xffffffffL, ctx, option);
        if (value < 0 || mask < 0) {
            return null;
        }
        return new long[] {value, mask};
    }

    /** The names of the bits set in {@code mask} (bit i is {@code names[i]}), comma-separated in bit order. */
    static String bitNames(long mask, String[] names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((mask & (1L << i)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(names[i]);
            }
        }
        return sb.toString();
    }

    /** The one option of {@code names} that was given; an error when none or several were. */
    static Given exactlyOne(Options given, RuleContext ctx, String where, String... names) {
        Given found = null;
        for (String n : names) {
            Given g = given.get(n);
            if (g != null) {
                if (found != null) {
                    throw ctx.error(n, where + " takes only one of " + String.join(", ", names));
                }
                found = g;
            }
        }
        if (found == null) {
            throw ctx.error(where, where + " needs one of " + String.join(", ", names));
        }
        return found;
    }

    /** The option a module cannot do without. */
    static Given required(Options given, String option, RuleContext ctx, String where) {
        Given g = given.get(option);
        if (g == null) {
            throw ctx.error(where, where + ": option " + option + " must be specified");
        }
        return g;
    }

    /** The option with its number printed in decimal (as written when unsure). */
    static Opt decimal(Given g, long max, RuleContext ctx) {
        long v = number(g.arg(), max, ctx, g.spelling());
        return opt(g, v < 0 ? g.arg() : Long.toString(v));
    }

    /** Case-insensitive "given is a prefix of candidate", the strncasecmp(candidate, given, len) idiom. */
    static boolean prefixOf(String given, String candidate) {
        return given.length() <= candidate.length() && candidate.regionMatches(true, 0, given, 0, given.length());
    }
}
