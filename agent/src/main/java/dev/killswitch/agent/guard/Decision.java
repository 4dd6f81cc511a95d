package dev.killswitch.agent.guard;

/**
 * The verdict for one packet and what decided it.
 *
 * @param verdict  ACCEPT, DENY or UNKNOWN
 * @param decidedBy the rule that decided, as {@code table CHAIN #n: -A CHAIN text}, or the chain policy
 *                  ({@code policy of OUTPUT}); for UNKNOWN the first rule that could not be decided
 */
public record Decision(Verdict verdict, String decidedBy) {
}
