package dev.killswitch.agent.plan;

import dev.killswitch.agent.desired.DesiredState;
import dev.killswitch.agent.desired.OwnedTables;
import dev.killswitch.agent.diff.Ownership;
import dev.killswitch.agent.rules.Canonicalizer;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawChain;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.RawTable;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.Table;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a validated desired state into the planner's canonical {@link Desired}. */
public final class DesiredCompiler {
    private DesiredCompiler() {
    }

    public static Desired compile(DesiredState state, Canonicalizer canon) {
        Map<Family, Ruleset> rulesets = new EnumMap<>(Family.class);
        Map<String, List<Origin>> origins = new LinkedHashMap<>();
        Map<Family, Map<String, List<String>>> ignore = new EnumMap<>(Family.class);
        for (Map.Entry<Family, Map<String, DesiredState.TableSpec>> fam : state.families().entrySet()) {
            Family f = fam.getKey();
            RawRuleset raw = OwnedTables.toRaw(state, f);
            Ruleset rs = canon.canonicalize(raw);
            rulesets.put(f, rs);
            Map<String, List<String>> globs = new LinkedHashMap<>();
            fam.getValue().forEach((table, spec) -> globs.put(table, spec.ignore() == null ? List.of() : spec.ignore()));
            ignore.put(f, globs);
            for (RawTable rt : raw.tables().values()) {
                Table ct = rs.table(rt.name());
                for (RawChain rc : rt.chains().values()) {
                    Chain cc = ct == null ? null : ct.chain(rc.name());
                    origins.put(Desired.originKey(f, rt.name(), rc.name()), expandOrigins(rc, cc));
                }
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        if (state.persist() != null && state.persist().sysctl() != null) {
            files.put(state.persist().sysctl(), SysctlFile.render(new ArrayList<>(state.sysctl().values())));
        }
        return new Desired(rulesets, origins, new Ownership(ignore), new ArrayList<>(state.sysctl().values()),
                state.persist(), files);
    }

    /** One origin per canonical rule: a raw rule with a comma list became several rules. */
    private static List<Origin> expandOrigins(RawChain raw, Chain canonical) {
        List<Origin> out = new ArrayList<>();
        int want = canonical == null ? 0 : canonical.rules().size();
        List<RawRule> rules = raw.rules();
        if (want == rules.size()) {
            for (RawRule r : rules) {
                out.add(r.origin());
            }
            return out;
        }
        // comma lists: spread origins by the number of addresses each raw rule lists
        for (RawRule r : rules) {
            int n = Math.max(1, count(r.args(), "-s", "--source") * count(r.args(), "-d", "--destination"));
            for (int i = 0; i < n; i++) {
                out.add(r.origin());
            }
        }
        return out;
    }

    private static int count(String args, String shortOpt, String longOpt) {
        String[] w = args.trim().split("\\s+");
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals(shortOpt) || w[i].equals(longOpt)) {
                return w[i + 1].split(",").length;
            }
        }
        return 1;
    }
}
