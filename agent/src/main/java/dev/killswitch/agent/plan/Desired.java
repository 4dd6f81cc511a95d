package dev.killswitch.agent.plan;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.Ruleset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The planner's view of a desired state: canonical rulesets of the owned tables, with where each
 * rule came from, and the sysctls and files it wants.
 *
 * @param rulesets owned tables per family in canonical form
 * @param origins  for each family/table/chain, the origin of each canonical rule in order
 * @param files    persistence target path to the content it must have, for files known before apply
 *                 (the sysctl file); rules files are written from the live state after apply
 */
public record Desired(
        Map<Family, Ruleset> rulesets,
        Map<String, List<Origin>> origins,
        Ownership ownership,
        List<DesiredState.Sysctl> sysctl,
        DesiredState.Persist persist,
        Map<String, String> files) {

    public Desired {
        rulesets = Collections.unmodifiableMap(new LinkedHashMap<>(rulesets));
        origins = Collections.unmodifiableMap(new LinkedHashMap<>(origins));
        sysctl = List.copyOf(sysctl);
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    public static String originKey(Family f, String table, String chain) {
        return f.key() + "/" + table + "/" + chain;
    }

    public Origin origin(Family f, String table, String chain, int index) {
        List<Origin> list = origins.get(originKey(f, table, chain));
        return list != null && index < list.size() ? list.get(index) : null;
    }
}
