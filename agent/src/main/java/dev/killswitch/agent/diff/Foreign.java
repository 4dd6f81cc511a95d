package dev.killswitch.agent.diff;

import dev.killswitch.agent.rules.Family;

/**
 * Something in an owned table that belongs to someone else and is reported, never changed.
 *
 * @param rule the canonical text of a foreign rule inside one of our chains, or null for a whole chain
 * @param rules how many rules a foreign chain holds
 */
public record Foreign(Family family, String table, String chain, String rule, int rules) {
}
