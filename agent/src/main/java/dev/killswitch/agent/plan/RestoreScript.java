package dev.killswitch.agent.plan;

import dev.killswitch.agent.rules.Family;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A family's share of a plan as one {@code iptables-restore --noflush} transaction. Steps keep their
 * plan order within each table, so every position is valid when its line runs.
 *
 * @param text       the restore input
 * @param lineToStep for each 1-based line of {@code text}, the step it came from (null for table lines)
 */
public record RestoreScript(Family family, String text, List<Step.RulesetStep> lineToStep) {

    public static RestoreScript render(Plan plan, Family family) {
        Map<String, List<Step.RulesetStep>> byTable = new LinkedHashMap<>();
        for (Step.RulesetStep s : plan.rulesetSteps()) {
            if (s.family() == family) {
                byTable.computeIfAbsent(s.table(), t -> new ArrayList<>()).add(s);
            }
        }
        StringBuilder sb = new StringBuilder();
        List<Step.RulesetStep> lines = new ArrayList<>();
        byTable.forEach((table, steps) -> {
            sb.append('*').append(table).append('\n');
            lines.add(null);
            for (Step.RulesetStep s : steps) {
                for (Step.RulesetStep part : s instanceof Step.Lockdown l ? l.parts() : List.of(s)) {
                    sb.append(part.restoreLine()).append('\n');
                    lines.add(part);
                }
            }
            sb.append("COMMIT\n");
            lines.add(null);
        });
        return new RestoreScript(family, sb.toString(), lines);
    }

    public boolean empty() {
        return text.isEmpty();
    }

    /** The step at a 1-based line of the transaction, or null. */
    public Step.RulesetStep stepAt(int line) {
        return line >= 1 && line <= lineToStep.size() ? lineToStep.get(line - 1) : null;
    }
}
