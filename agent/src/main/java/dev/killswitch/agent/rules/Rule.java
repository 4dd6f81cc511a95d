package dev.killswitch.agent.rules;

import java.util.List;

/**
 * A rule in kernel-canonical form: what iptables-save prints after {@code -A CHAIN}.
 * Two rules are the same rule exactly when their {@link #text()} is equal.
 *
 * @param core    the core options in the fixed order -s -d -i -o -p -f
 * @param matches the -m modules in canonical order
 * @param target  the target, or null for a rule without one
 * @param known   false when the builtin canonicaliser does not know every module of the rule,
 *                so its text is only as good as the spelling it was given
 * @param text    the canonical text, derived from the parts
 */
public record Rule(List<Opt> core, List<Match> matches, Target target, boolean known, String text) {

    public Rule {
        core = List.copyOf(core);
        matches = List.copyOf(matches);
    }

    public Rule(List<Opt> core, List<Match> matches, Target target, boolean known) {
        this(core, matches, target, known, render(core, matches, target));
    }

    /** The core option with this name (-s, -d, -i, -o, -p, -f), or null. */
    public Opt coreOption(String name) {
        for (Opt o : core) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }

    /** The first match of this module, or null. */
    public Match match(String module) {
        for (Match m : matches) {
            if (m.module().equals(module)) {
                return m;
            }
        }
        return null;
    }

    /** The user chain this rule jumps or goes to, or null. */
    public String jumpChain(java.util.Set<String> userChains) {
        return target != null && userChains.contains(target.name()) ? target.name() : null;
    }

    static String render(List<Opt> core, List<Match> matches, Target target) {
        StringBuilder sb = new StringBuilder(64);
        for (Opt o : core) {
            o.appendTo(sb);
        }
        for (Match m : matches) {
            sb.append(" -m ").append(m.module());
            for (Opt o : m.options()) {
                o.appendTo(sb);
            }
        }
        if (target != null) {
            sb.append(target.goTo() ? " -g " : " -j ").append(target.name());
            for (Opt o : target.options()) {
                o.appendTo(sb);
            }
        }
        return sb.length() == 0 ? "" : sb.substring(1);
    }

    @Override
    public String toString() {
        return text;
    }
}
