package dev.killswitch.agent.desired;

import dev.killswitch.agent.desired.DesiredState.TableSpec;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawChain;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.RawTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The tables a desired state owns, as raw rulesets ready for canonicalisation, and which chains it ignores. */
public final class OwnedTables {
    private OwnedTables() {
    }

    /**
     * The owned tables of one family; empty when the family is absent (nothing of it is owned).
     * Chains come in file order; a built-in chain that only has a policy gets an empty rule list;
     * a built-in chain without a declared policy has policy null.
     */
    public static RawRuleset toRaw(DesiredState s, Family f) {
        Map<String, RawTable> tables = new LinkedHashMap<>();
        for (TableSpec t : s.families().getOrDefault(f, Map.of()).values()) {
            Map<String, RawChain> chains = new LinkedHashMap<>();
            for (Map.Entry<String, List<RawRule>> c : t.chains().entrySet()) {
                chains.put(c.getKey(), new RawChain(c.getKey(), t.policies().get(c.getKey()), c.getValue(),
                        chainOrigin(t, c.getKey())));
            }
            for (Map.Entry<String, String> p : t.policies().entrySet()) {
                chains.putIfAbsent(p.getKey(), new RawChain(p.getKey(), p.getValue(), List.of(),
                        chainOrigin(t, p.getKey())));
            }
            tables.put(t.name(), new RawTable(t.name(), chains));
        }
        return new RawRuleset(f, tables);
    }

    /** The table's line (chains keep no line of their own) with the chain's field path. */
    private static Origin chainOrigin(TableSpec t, String chain) {
        Origin o = t.origin();
        return new Origin(o.file(), o.line(), o.field() + ".chains." + chain);
    }

    /** Whether a chain found on the host matches one of the table's ignore patterns (left alone, never changed). */
    public static boolean ignored(TableSpec t, String chain) {
        for (String glob : t.ignore()) {
            if (globMatches(glob, chain)) {
                return true;
            }
        }
        return false;
    }

    /** Shell-style glob: {@code *} any run of characters, {@code ?} one character, the rest literal. */
    static boolean globMatches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.matches(regex.toString(), name);
    }
}
