package dev.killswitch.agent.rules;

/** A rule as an operator or a dump spelled it: the arguments after {@code -A CHAIN}, and where it came from. */
public record RawRule(String args, Origin origin) {
}
