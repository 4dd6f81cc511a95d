package dev.killswitch.agent.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** All tables of one family, in canonical form. */
public record Ruleset(Family family, Map<String, Table> tables) {

    public Ruleset {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }

    public static Ruleset empty(Family family) {
        return new Ruleset(family, Map.of());
    }

    public Table table(String name) {
        return tables.get(name);
    }

    public Ruleset withTable(Table t) {
        Map<String, Table> m = new LinkedHashMap<>(tables);
        m.put(t.name(), t);
        return new Ruleset(family, m);
    }
}
