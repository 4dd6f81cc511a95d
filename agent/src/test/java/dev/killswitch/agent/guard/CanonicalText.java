package dev.killswitch.agent.guard;

import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Match;
import dev.killswitch.agent.rules.Opt;
import dev.killswitch.agent.rules.Rule;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.Table;
import dev.killswitch.agent.rules.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test fixture: canonical iptables-save text (no quoted strings) split into the rule model, standing in
 * for the real parser. It refuses any line whose rendering would not give the same text back.
 */
final class CanonicalText {
    private static final Set<String> CORE = Set.of("-s", "-d", "-i", "-o", "-p", "-f");

    private CanonicalText() {
    }

    /** A whole iptables-save file: {@code *table}, {@code :CHAIN POLICY [0:0]}, {@code -A} lines, COMMIT. */
    static Ruleset ruleset(Family family, String text) {
        Map<String, Table> tables = new LinkedHashMap<>();
        String table = null;
        Map<String, String> policies = new LinkedHashMap<>();
        Map<String, List<Rule>> rules = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                policies.clear();
                rules.clear();
            } else if (line.startsWith(":")) {
                String[] parts = line.substring(1).split(" ");
                policies.put(parts[0], parts[1].equals("-") ? null : parts[1]);
                rules.put(parts[0], new ArrayList<>());
            } else if (line.startsWith("-A ")) {
                String[] parts = line.split(" ", 3);
                rules.get(parts[1]).add(rule(parts.length > 2 ? parts[2] : ""));
            } else if (line.equals("COMMIT")) {
                Map<String, Chain> chains = new LinkedHashMap<>();
                for (String c : policies.keySet()) {
                    chains.put(c, new Chain(c, policies.get(c), rules.get(c)));
                }
                tables.put(table, new Table(table, chains));
            } else {
                throw new IllegalArgumentException("not canonical iptables-save text: " + line);
            }
        }
        return new Ruleset(family, tables);
    }

    /** One rule, the text after {@code -A CHAIN}. */
    static Rule rule(String text) {
        List<String> tokens = text.isEmpty() ? List.of() : Arrays.asList(text.split(" "));
        List<Opt> core = new ArrayList<>();
        List<Match> matches = new ArrayList<>();
        String module = null;
        List<Opt> moduleOpts = null;
        Target target = null;
        boolean goTo = false;
        String targetName = null;
        List<Opt> targetOpts = new ArrayList<>();
        boolean negated = false;
        int i = 0;
        while (i < tokens.size()) {
            String t = tokens.get(i++);
            if (t.equals("!")) {
                negated = true;
                continue;
            }
            if (t.equals("-m") || t.equals("-j") || t.equals("-g")) {
                if (module != null) {
                    matches.add(new Match(module, moduleOpts));
                    module = null;
                }
                if (t.equals("-m")) {
                    module = tokens.get(i++);
                    moduleOpts = new ArrayList<>();
                } else {
                    goTo = t.equals("-g");
                    targetName = tokens.get(i++);
                }
                continue;
            }
            List<String> args = new ArrayList<>();
            if (CORE.contains(t)) {
                if (!t.equals("-f")) {
                    args.add(tokens.get(i++));
                }
            } else {
                while (i < tokens.size() && !tokens.get(i).startsWith("-") && !tokens.get(i).equals("!")) {
                    args.add(tokens.get(i++));
                }
            }
            Opt opt = new Opt(t, negated, args);
            negated = false;
            if (targetName != null) {
                targetOpts.add(opt);
            } else if (module != null) {
                moduleOpts.add(opt);
            } else if (CORE.contains(t)) {
                core.add(opt);
            } else {
                throw new IllegalArgumentException("option outside a match: " + t + " in " + text);
            }
        }
        if (module != null) {
            matches.add(new Match(module, moduleOpts));
        }
        if (targetName != null) {
            target = new Target(goTo, targetName, targetOpts);
        }
        Rule rule = new Rule(core, matches, target, true);
        if (!rule.text().equals(text)) {
            throw new IllegalArgumentException("not canonical: '" + text + "' renders as '" + rule.text() + "'");
        }
        return rule;
    }
}
