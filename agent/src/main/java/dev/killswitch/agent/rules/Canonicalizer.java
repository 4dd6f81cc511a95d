package dev.killswitch.agent.rules;

/**
 * Turns rules as written into rules as the kernel prints them back.
 * One raw rule may become several (a comma list in -s/-d is expanded by iptables).
 */
public interface Canonicalizer {

    /**
     * The canonical form of a whole family.
     * Built-in chains that the raw ruleset leaves out are not added; policies are copied.
     *
     * @throws InputError naming the raw rule's origin when a rule is invalid
     */
    Ruleset canonicalize(RawRuleset raw);
}
