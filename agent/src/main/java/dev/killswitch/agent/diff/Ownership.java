package dev.killswitch.agent.diff;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which tables the desired state owns, and which chains inside them belong to someone else
 * (Docker, fail2ban): those are matched by {@code ignore} globs and never touched.
 */
public final class Ownership {
    private final Map<Family, Map<String, List<Pattern>>> ignore;
    private final Map<Family, Map<String, List<String>>> globs;

    public Ownership(Map<Family, Map<String, List<String>>> ignoreGlobs) {
        Map<Family, Map<String, List<Pattern>>> compiled = new LinkedHashMap<>();
        Map<Family, Map<String, List<String>>> copy = new LinkedHashMap<>();
        ignoreGlobs.forEach((family, tables) -> {
            Map<String, List<Pattern>> t = new LinkedHashMap<>();
            Map<String, List<String>> g = new LinkedHashMap<>();
            tables.forEach((table, list) -> {
                List<Pattern> ps = new ArrayList<>();
                for (String glob : list) {
                    ps.add(globToRegex(glob));
                }
                t.put(table, ps);
                g.put(table, List.copyOf(list));
            });
            compiled.put(family, t);
            copy.put(family, Collections.unmodifiableMap(g));
        });
        this.ignore = compiled;
        this.globs = Collections.unmodifiableMap(copy);
    }

    public boolean owns(Family family, String table) {
        Map<String, List<Pattern>> t = ignore.get(family);
        return t != null && t.containsKey(table);
    }

    /** Owned tables of a family, in desired-state order. */
    public List<String> tables(Family family) {
        Map<String, List<Pattern>> t = ignore.get(family);
        return t == null ? List.of() : List.copyOf(t.keySet());
    }

    public Map<Family, Map<String, List<String>>> globs() {
        return globs;
    }

    /** True when the chain belongs to someone else and must be left alone. */
    public boolean foreignChain(Family family, String table, String chain) {
        for (Pattern p : ignored(family, table)) {
            if (p.matcher(chain).matches()) {
                return true;
            }
        }
        return false;
    }

    /** True when the table has ignore patterns, so that some of its rules may be foreign. */
    public boolean ignoresAny(Family family, String table) {
        return !ignored(family, table).isEmpty();
    }

    /** A rule in one of our chains that hands packets to a foreign chain (Docker's FORWARD jumps) is theirs. */
    public boolean foreignRule(Family family, String table, Rule rule) {
        // with nothing ignored the rule's target is not looked at: a live rule is then never parsed here
        return !ignored(family, table).isEmpty() && rule.target() != null
                && foreignChain(family, table, rule.target().name());
    }

    private List<Pattern> ignored(Family family, String table) {
        Map<String, List<Pattern>> t = ignore.get(family);
        List<Pattern> ps = t == null ? null : t.get(table);
        return ps == null ? List.of() : ps;
    }

    static Pattern globToRegex(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }
}
