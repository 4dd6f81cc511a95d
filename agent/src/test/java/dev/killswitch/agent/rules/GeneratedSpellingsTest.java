package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.ProcessRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hundreds of rules in non-canonical spellings are loaded into a fresh named network namespace; the
 * builtin canonicaliser must print every one exactly as iptables-save does, and the kernel
 * canonicaliser must agree. The seed is printed; rerun one with {@code -Dks.seed=N}.
 */
@Tag("netns")
class GeneratedSpellingsTest {

    private static final int RULES = 400;

    @ParameterizedTest
    @EnumSource(Family.class)
    void builtinTextEqualsKernelTextForEveryGeneratedSpelling(Family family) throws Exception {
        long seed = Long.getLong("ks.seed", System.nanoTime());
        System.out.println("GeneratedSpellingsTest " + family + " seed " + seed);
        RawRuleset raw = new SpellingGenerator(seed, family).generate(RULES);
        String restore = KernelCanonicalizer.restoreText(raw);

        Ruleset kernel;
        try (TestNamespace ns = TestNamespace.create()) {
            CommandRunner.Result load = ns.exec(restore, family.restoreCommand());
            if (!load.ok()) {
                fail("seed " + seed + ": the kernel refused a generated rule: " + load.stderr()
                        + "\nline: " + offendingLine(restore, load.stderr()));
            }
            CommandRunner.Result save = ns.exec(null, family.saveCommand());
            assertTrue(save.ok(), save.stderr());
            kernel = SaveParser.parseCanonical(save.stdout(), family);
        }

        Ruleset mine = new BuiltinCanonicalizer().canonicalize(raw);
        List<String> problems = new ArrayList<>();
        int compared = 0;
        for (RawTable rt : raw.tables().values()) {
            for (RawChain rc : rt.chains().values()) {
                List<Rule> k = kernel.table(rt.name()).chain(rc.name()).rules();
                List<Rule> m = mine.table(rt.name()).chain(rc.name()).rules();
                int at = 0;
                for (RawRule rr : rc.rules()) {
                    int n = SaveParser.expansions(rr);
                    for (int e = 0; e < n; e++, at++) {
                        Rule kr = at < k.size() ? k.get(at) : null;
                        Rule mr = at < m.size() ? m.get(at) : null;
                        compared++;
                        if (kr == null || mr == null || !mr.known() || !mr.text().equals(kr.text())) {
                            problems.add(rt.name() + " " + rc.name() + ": " + rr.args()
                                    + "\n    kernel:  " + (kr == null ? "-" : kr.text())
                                    + "\n    builtin: " + (mr == null ? "-" : mr.text())
                                    + (mr != null && !mr.known() ? "  (unknown)" : ""));
                        }
                    }
                }
                assertEquals(k.size(), at, "seed " + seed + ": rule count of " + rt.name() + " " + rc.name());
            }
        }
        if (!problems.isEmpty()) {
            fail("seed " + seed + ": " + problems.size() + " of " + compared + " rules differ:\n"
                    + String.join("\n", problems));
        }

        Ruleset viaKernel = new KernelCanonicalizer(new ProcessRunner()).canonicalize(raw);
        for (Table t : mine.tables().values()) {
            for (Chain c : t.chains().values()) {
                assertEquals(c.rules().stream().map(Rule::text).toList(),
                        viaKernel.table(t.name()).chain(c.name()).rules().stream().map(Rule::text).toList(),
                        "seed " + seed + ": kernel canonicaliser, " + t.name() + " " + c.name());
            }
        }
    }

    private static String offendingLine(String restore, String stderr) {
        Matcher m = Pattern.compile("(?:Error occurred at line: |line )(\\d+)").matcher(stderr);
        String[] lines = restore.split("\n");
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            int n = Integer.parseInt(m.group(1));
            sb.append("\n  ").append(n >= 1 && n <= lines.length ? lines[n - 1] : "?");
        }
        return sb.toString();
    }
}
