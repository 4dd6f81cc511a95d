package dev.killswitch.agent.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The examples of NORMALISATION.md: {@code `-A CHAIN input` → `-A CHAIN output` [/ `...`] (ip6tables) (nat table)}.
 */
record NormalisationExamples(String input, String chain, List<String> expected, Family family, String table, int line) {

    private static final Pattern EXAMPLE = Pattern.compile("^\\s*- `(-A (\\S+) [^`]*)` → (.*)$");
    private static final Pattern OUTPUT = Pattern.compile("`-A \\S+ ([^`]*)`");
    private static final Pattern TABLE = Pattern.compile("\\((\\w+) table\\)");

    /** The rule arguments after {@code -A CHAIN}. */
    String args() {
        return input.substring(input.indexOf(' ', 3) + 1);
    }

    @Override
    public String toString() {
        return "line " + line + ": " + input + (family == Family.IPV6 ? " (ip6tables)" : "")
                + (table.equals("filter") ? "" : " (" + table + ")");
    }

    static List<NormalisationExamples> all() throws IOException {
        List<NormalisationExamples> out = new ArrayList<>();
        try (InputStream in = NormalisationExamples.class.getResourceAsStream("/corpus/NORMALISATION.md")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                Matcher m = EXAMPLE.matcher(lines[i]);
                if (!m.matches()) {
                    continue;
                }
                String input = m.group(1);
                String rest = m.group(3);
                if (input.contains("…")) {
                    // the over-long comment example is abbreviated in the document: make it 300 characters
                    input = input.replace("…", "c".repeat(300));
                }
                List<String> expected = new ArrayList<>();
                Matcher o = OUTPUT.matcher(rest);
                while (o.find()) {
                    expected.add(o.group(1));
                }
                Family family = rest.contains("(ip6tables)") ? Family.IPV6 : Family.IPV4;
                Matcher t = TABLE.matcher(rest);
                String table = t.find() ? t.group(1) : "filter";
                out.add(new NormalisationExamples(input, m.group(2), expected, family, table, i + 1));
            }
        }
        return out;
    }

    /** A one-rule raw ruleset for this example. */
    RawRuleset raw() {
        Origin o = new Origin("NORMALISATION.md", line, table + " " + chain);
        RawChain c = new RawChain(chain, null, List.of(new RawRule(args(), o)), o);
        return new RawRuleset(family, java.util.Map.of(table, new RawTable(table, java.util.Map.of(chain, c))));
    }

    static String join(List<Rule> rules) {
        return String.join(" / ", rules.stream().map(Rule::text).toList());
    }

    static String joinExpected(List<String> expected) {
        return String.join(" / ", expected);
    }

}
