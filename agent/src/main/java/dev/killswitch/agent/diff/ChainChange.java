package dev.killswitch.agent.diff;

import dev.killswitch.agent.rules.Family;
import java.util.List;

/**
 * The before/after of one owned chain that differs. Rules are canonical texts; foreign rules are left out.
 *
 * @param kind created, deleted or modified
 */
public record ChainChange(
        Family family,
        String table,
        String chain,
        Kind kind,
        String policyBefore,
        String policyAfter,
        List<String> before,
        List<String> after) {

    public enum Kind { CREATED, DELETED, MODIFIED }

    public ChainChange {
        before = List.copyOf(before);
        after = List.copyOf(after);
    }
}
