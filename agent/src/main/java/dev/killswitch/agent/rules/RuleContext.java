package dev.killswitch.agent.rules;

/**
 * What canonicalising one raw rule needs to know (family, table, protocol) and collects (doubts).
 * Errors made here name the rule's file, line and field plus the option at fault.
 */
final class RuleContext {
    final Family family;
    final String table;
    final boolean strict;
    final Origin origin;
    /** The -p protocol number, 0 when absent or "all". */
    int protocol;
    boolean protocolNegated;
    /** Set when the builtin canonicaliser cannot vouch for the text: the kernel has to say. */
    boolean unsure;

    RuleContext(Family family, String table, boolean strict, Origin origin) {
        this.family = family;
        this.table = table;
        this.strict = strict;
        this.origin = origin;
    }

    boolean ipv6() {
        return family == Family.IPV6;
    }

    void unsure() {
        unsure = true;
    }

    InputError error(String option, String message) {
        String base = origin.field() == null ? "" : origin.field();
        String field = option == null || option.isEmpty() ? base : base.isEmpty() ? option : base + " " + option;
        return new InputError(new Origin(origin.file(), origin.line(), field), message);
    }
}
