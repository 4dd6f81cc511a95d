package dev.killswitch.agent.rules;

import java.util.List;

/**
 * One option of a rule, a match or a target, e.g. {@code ! --dport 80}.
 * {@code args} are the tokens exactly as iptables-save prints them (quoted where it quotes).
 */
public record Opt(String name, boolean negated, List<String> args) {
    public Opt {
        args = List.copyOf(args);
    }

    public static Opt of(String name, String... args) {
        return new Opt(name, false, List.of(args));
    }

    /** The first argument, or null. */
    public String arg() {
        return args.isEmpty() ? null : args.get(0);
    }

    void appendTo(StringBuilder sb) {
        if (negated) {
            sb.append(" !");
        }
        sb.append(' ').append(name);
        for (String a : args) {
            sb.append(' ').append(a);
        }
    }
}
