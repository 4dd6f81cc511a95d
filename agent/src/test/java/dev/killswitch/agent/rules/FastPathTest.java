package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shortcuts of the hot paths give exactly what the general paths give: the save parser's
 * untokenized {@code -A CHAIN args} lines, and the parallel canonicalisation of large rulesets.
 */
class FastPathTest {

    /** Counters in front send a line down the general, tokenizing path; iptables-restore accepts both. */
    private static String withCounters(String dump) {
        StringBuilder sb = new StringBuilder(dump.length() * 2);
        for (String line : dump.split("\n", -1)) {
            sb.append(line.startsWith("-A ") ? "[0:0] " + line : line).append('\n');
        }
        return sb.toString();
    }

    private static List<Path> dumps() throws IOException, URISyntaxException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("/corpus/public", "/corpus/public-canonical", "/corpus/generated")) {
            try (Stream<Path> s = Files.list(Path.of(FastPathTest.class.getResource(dir).toURI()))) {
                s.filter(p -> p.toString().endsWith(".rules")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void appendLinesParseAsTheGeneralPathParsesThem() throws Exception {
        int compared = 0;
        for (Path p : dumps()) {
            String text = Files.readString(p);
            Family f = p.getFileName().toString().contains("6") ? Family.IPV6 : Family.IPV4;
            Object fast;
            Object general;
            try {
                fast = SaveParser.parse(text, "x", f);
            } catch (InputError e) {
                fast = e.getMessage();
            }
            try {
                general = SaveParser.parse(withCounters(text), "x", f);
            } catch (InputError e) {
                general = e.getMessage();
            }
            assertEquals(general, fast, p.getFileName().toString());
            compared++;
        }
        assertEquals(true, compared > 40, "the corpus is there: " + compared);
    }

    @Test
    void theShortcutLeavesOddLinesToTheGeneralPath() {
        String ok = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT  -p tcp   -j ACCEPT  \nCOMMIT\n";
        assertEquals("-p tcp   -j ACCEPT", SaveParser.parse(ok, "x", Family.IPV4).tables().get("filter")
                .chains().get("INPUT").rules().get(0).args());
        // what the general path says of each (the shortcut must not take them)
        java.util.Map<String, String> odd = java.util.Map.of(
                "-A INPUT -t nat -j ACCEPT", "-t is not allowed in a restore file",
                "-A INPUT -p tcp --table nat -j ACCEPT", "-t is not allowed in a restore file",
                "-A nochain -j ACCEPT", "chain nochain is not declared",
                "-A \"INPUT\" -j ACCEPT", "");
        odd.forEach((line, error) -> {
            String dump = "*filter\n:INPUT ACCEPT [0:0]\n" + line + "\nCOMMIT\n";
            if (error.isEmpty()) {
                assertEquals("-j ACCEPT", SaveParser.parse(dump, "x", Family.IPV4).tables().get("filter")
                        .chains().get("INPUT").rules().get(0).args(), line);
            } else {
                InputError e = assertThrows(InputError.class, () -> SaveParser.parse(dump, "x", Family.IPV4));
                assertEquals(true, e.getMessage().contains(error), e.getMessage());
            }
        });
    }

    @Test
    void theShortcutReadsEachLineOfTheTextWhole() {
        // CR line ends, trailing blanks, and chains whose names prefix each other, alternating
        String dump = "*filter\r\n:IN - [0:0]\r\n:INPUT ACCEPT [0:0]\r\n-A INPUT -p tcp -j ACCEPT \t\r\n"
                + "-A IN -p udp -j DROP\r\n-A INPUT -j IN\r\n-A IN -j RETURN\r\nCOMMIT\r\n";
        RawTable t = SaveParser.parse(dump, "x", Family.IPV4).tables().get("filter");
        assertEquals(List.of("-p tcp -j ACCEPT", "-j IN"),
                t.chains().get("INPUT").rules().stream().map(RawRule::args).toList());
        assertEquals(List.of("-p udp -j DROP", "-j RETURN"),
                t.chains().get("IN").rules().stream().map(RawRule::args).toList());
        assertEquals(List.of(5, 7), t.chains().get("IN").rules().stream().map(r -> r.origin().line()).toList());
    }

    private static RawRuleset big(int n, int... bad) {
        List<RawRule> rules = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            boolean broken = java.util.Arrays.stream(bad).anyMatch(b -> b == k);
            rules.add(new RawRule(broken ? "-p tcp --dport 99999 -j ACCEPT"
                    : "-p tcp -s 10." + (i / 250 % 250) + "." + (i % 250) + ".1" + (i % 7 == 3 ? ",192.0.2.9" : "")
                    + " --dport " + (1024 + i)
                    + " -m comment --comment \"r" + i + "\" -j ACCEPT", new Origin("big.yml", i + 1, "")));
        }
        return new RawRuleset(Family.IPV4, java.util.Map.of("filter", new RawTable("filter",
                java.util.Map.of("INPUT", new RawChain("INPUT", "DROP", rules, new Origin("big.yml", 0, ""))))));
    }

    @Test
    void aLargeRulesetCanonicalisesAsRuleByRule() {
        int n = 3 * BuiltinCanonicalizer.PARALLEL_FROM;
        RawRuleset raw = big(n);
        BuiltinCanonicalizer c = new BuiltinCanonicalizer();
        List<Rule> all = c.canonicalize(raw).table("filter").chain("INPUT").rules();
        List<RawRule> in = raw.tables().get("filter").chains().get("INPUT").rules();
        // every 7th raw rule lists two sources, so it becomes two rules
        List<Rule> one = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            one.addAll(c.rules(in.get(i), Family.IPV4, "filter"));
        }
        assertEquals(n + (n + 3) / 7, all.size());
        assertEquals(one, all);
    }

    @Test
    void aLargeRulesetReportsItsFirstBadRule() {
        int n = 3 * BuiltinCanonicalizer.PARALLEL_FROM;
        for (int round = 0; round < 5; round++) {
            InputError e = assertThrows(InputError.class,
                    () -> new BuiltinCanonicalizer().canonicalize(big(n, n - 2, n / 2, n - 1)));
            assertEquals(n / 2 + 1, e.origin().line(), e.getMessage());
        }
    }

    /** Chains of plain rules (one rule each), {@code bad} the rule index made invalid in chain {@code badChain}. */
    private static RawRuleset chains(int chains, int per, String badName, int badChain, int bad) {
        java.util.Map<String, RawChain> out = new java.util.LinkedHashMap<>();
        int line = 0;
        for (int c = 0; c < chains; c++) {
            List<RawRule> rules = new ArrayList<>();
            for (int i = 0; i < per; i++) {
                rules.add(new RawRule(c == badChain && i == bad ? "-p tcp --dport 99999 -j ACCEPT"
                        : "-p tcp -s 10.0." + c + "." + i % 250 + " --dport " + (1024 + i) + " -j ACCEPT",
                        new Origin("chains.yml", ++line, "")));
            }
            String name = c == 1 && badName != null ? badName : "c" + c;
            out.put(name, new RawChain(name, null, rules, new Origin("chains.yml", line, name)));
        }
        return new RawRuleset(Family.IPV4, java.util.Map.of("filter", new RawTable("filter", out)));
    }

    @Test
    void chainsOfOneRuleEachCanonicaliseAsRuleByRule() {
        int per = BuiltinCanonicalizer.PARALLEL_FROM;
        RawRuleset raw = chains(4, per, null, -1, -1);
        BuiltinCanonicalizer c = new BuiltinCanonicalizer();
        Table t = c.canonicalize(raw).table("filter");
        for (RawChain rc : raw.tables().get("filter").chains().values()) {
            List<Rule> one = new ArrayList<>();
            for (RawRule rr : rc.rules()) {
                one.addAll(c.rules(rr, Family.IPV4, "filter"));
            }
            assertEquals(one, t.chain(rc.name()).rules(), rc.name());
        }
    }

    @Test
    void chainsReportTheFirstProblemInTheirOrder() {
        int per = BuiltinCanonicalizer.PARALLEL_FROM;
        // a bad rule in the third chain, a bad chain name before it: the name is met first
        InputError name = assertThrows(InputError.class,
                () -> new BuiltinCanonicalizer().canonicalize(chains(4, per, "bad;name", 2, 5)));
        assertEquals(2 * per, name.origin().line(), name.getMessage());
        InputError rule = assertThrows(InputError.class,
                () -> new BuiltinCanonicalizer().canonicalize(chains(4, per, null, 2, 5)));
        assertEquals(2 * per + 6, rule.origin().line(), rule.getMessage());
    }
}
