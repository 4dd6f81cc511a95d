package dev.killswitch.controller.playbook;

import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.yaml.Field;
import java.util.List;
import java.util.Map;

/**
 * One play of a playbook: which hosts, in which batches, and the kill switch they get.
 *
 * @param serial             batch sizes as written: numbers or percentages ("25%"); empty means all at once
 * @param maxFailPercentage  a batch whose failed share exceeds this stops the rollout; null means any failure stops it
 * @param killswitch         the {@code killswitch:} section, templated per host when rendered
 * @param rules              the optional raw {@code rules:} section, or null
 */
public record Play(String name, String hosts, Map<String, Object> vars, List<Object> serial,
                   Integer maxFailPercentage, Field killswitch, Field rules, Origin origin) {
}
