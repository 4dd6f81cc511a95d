package dev.killswitch.agent.plan;

import dev.killswitch.agent.diff.ChainChange;
import dev.killswitch.agent.diff.Foreign;
import java.util.List;

/**
 * What it takes to bring one host from its live state to the desired state: an immutable value,
 * made by {@link Planner#plan}, rendered and applied separately.
 *
 * @param fingerprint the live state it was computed from; applying refuses when the host moved on
 * @param steps       in phase order
 * @param changes     before/after of every owned chain that differs
 * @param foreign     chains and rules in owned tables that are someone else's
 */
public record Plan(String fingerprint, List<Step> steps, List<ChainChange> changes, List<Foreign> foreign) {

    public Plan {
        steps = List.copyOf(steps);
        changes = List.copyOf(changes);
        foreign = List.copyOf(foreign);
    }

    public boolean empty() {
        return steps.isEmpty();
    }

    /** Steps that change a family's ruleset, in order. */
    public List<Step.RulesetStep> rulesetSteps() {
        return steps.stream()
                .filter(Step.RulesetStep.class::isInstance)
                .map(Step.RulesetStep.class::cast)
                .toList();
    }
}
