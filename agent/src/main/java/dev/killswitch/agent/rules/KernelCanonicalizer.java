package dev.killswitch.agent.rules;

import dev.killswitch.agent.observe.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets the kernel say the canonical form: the raw rules (with their original argument text) are loaded
 * with iptables-restore into a scratch network namespace that disappears with the process, and read back
 * with iptables-save. A rule the kernel refuses becomes an {@link InputError} at that rule's origin.
 */
public final class KernelCanonicalizer implements Canonicalizer {

    /** Constant scripts: the rules travel on stdin only. */
    private static final String SCRIPT_V4 = "iptables-restore && iptables-save";
    private static final String SCRIPT_V6 = "ip6tables-restore && ip6tables-save";

    private static final Pattern ERROR_AT = Pattern.compile("Error occurred at line: (\\d+)");
    private static final Pattern LINE_N = Pattern.compile("line (\\d+):? ");
    private static final Pattern NO_CHAIN = Pattern.compile("Chain '([^']*)' does not exist");

    private final CommandRunner runner;

    public KernelCanonicalizer(CommandRunner runner) {
        this.runner = runner;
    }

    /** The argv that runs {@code script} in a fresh network namespace. */
    static List<String> argv(Family family) {
        return List.of("unshare", "--net", "--", "sh", "-c", family == Family.IPV6 ? SCRIPT_V6 : SCRIPT_V4);
    }

    @Override
    public Ruleset canonicalize(RawRuleset raw) {
        Rendered r = render(raw);
        CommandRunner.Result res;
        try {
            res = runner.run(argv(raw.family()), r.text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run iptables in a scratch network namespace", e);
        }
        if (!res.ok()) {
            throw refusal(r, res);
        }
        Ruleset saved = SaveParser.parseCanonical(res.stdout(), raw.family());
        return mapBack(raw, saved);
    }

    /** The iptables-restore text the raw ruleset is loaded with: every chain declared, rules as written. */
    static String restoreText(RawRuleset raw) {
        return render(raw).text;
    }

    /** The restore text and, per line, the raw rule it came from. */
    private record Rendered(String text, List<RawRule> byLine, List<RawChain> chainByLine) {
    }

    private static Rendered render(RawRuleset raw) {
        StringBuilder sb = new StringBuilder(4096);
        List<RawRule> byLine = new ArrayList<>();
        List<RawChain> chainByLine = new ArrayList<>();
        byLine.add(null); // lines count from 1
        chainByLine.add(null);
        for (RawTable t : raw.tables().values()) {
            RawChain first = t.chains().isEmpty() ? null : t.chains().values().iterator().next();
            line(sb, byLine, chainByLine, "*" + t.name(), null, first);
            List<String> builtins = Table.builtins(t.name());
            for (RawChain c : t.chains().values()) {
                boolean builtin = builtins.contains(c.name());
                String policy = builtin ? (c.policy() == null ? "ACCEPT" : c.policy()) : "-";
                line(sb, byLine, chainByLine, ":" + c.name() + " " + policy + " [0:0]", null, c);
            }
            for (RawChain c : t.chains().values()) {
                for (RawRule r : c.rules()) {
                    String args = r.args();
                    if (args.indexOf('\n') >= 0 || args.indexOf('\r') >= 0) {
                        throw new InputError(r.origin(), "a rule must be a single line");
                    }
                    line(sb, byLine, chainByLine, "-A " + c.name() + (args.isEmpty() ? "" : " " + args), r, c);
                }
            }
            line(sb, byLine, chainByLine, "COMMIT", null, first);
        }
        return new Rendered(sb.toString(), byLine, chainByLine);
    }

    private static void line(StringBuilder sb, List<RawRule> byLine, List<RawChain> chainByLine, String text,
                             RawRule rule, RawChain chain) {
        sb.append(text).append('\n');
        byLine.add(rule);
        chainByLine.add(chain);
    }

    /** Turns a refused restore into an error at the raw rule the kernel named. */
    private static InputError refusal(Rendered r, CommandRunner.Result res) {
        String err = res.stderr() == null ? "" : res.stderr();
        StringBuilder msg = new StringBuilder();
        for (String l : err.split("\n")) {
            String s = l.strip();
            if (s.isEmpty() || s.startsWith("Try `") || s.startsWith("Error occurred at line")) {
                continue;
            }
            msg.append(msg.length() > 0 ? "; " : "").append(s);
        }
        String message = msg.length() > 0 ? msg.toString() : "iptables-restore failed (exit " + res.exitCode() + ")";
        int line = -1;
        Matcher m = ERROR_AT.matcher(err);
        if (m.find()) {
            line = Integer.parseInt(m.group(1));
        } else {
            m = LINE_N.matcher(err);
            if (m.find()) {
                line = Integer.parseInt(m.group(1));
            }
        }
        RawRule rule = line > 0 && line < r.byLine.size() ? r.byLine.get(line) : null;
        if (rule == null) {
            Matcher nc = NO_CHAIN.matcher(err);
            if (nc.find()) {
                rule = referencing(r, nc.group(1));
            }
        }
        if (rule != null) {
            return new InputError(rule.origin(), "iptables refuses this rule: " + message);
        }
        RawChain chain = line > 0 && line < r.chainByLine.size() ? r.chainByLine.get(line) : null;
        Origin o = chain != null && chain.origin() != null ? chain.origin() : Origin.unknown();
        return new InputError(o, "iptables refuses the rules: " + message);
    }

    /** The first rule that jumps or goes to {@code chain}. */
    private static RawRule referencing(Rendered r, String chain) {
        for (RawRule rule : r.byLine) {
            if (rule == null) {
                continue;
            }
            List<Tokenizer.Token> toks = Tokenizer.tokenize(rule.args(), rule.origin());
            for (int i = 0; i + 1 < toks.size(); i++) {
                String s = toks.get(i).text();
                if ((s.equals("-j") || s.equals("-g") || s.equals("--jump") || s.equals("--goto"))
                        && toks.get(i + 1).text().equals(chain)) {
                    return rule;
                }
            }
        }
        return null;
    }

    /** Keeps only the raw tables and chains, and checks that each raw rule got its share of kernel rules. */
    private static Ruleset mapBack(RawRuleset raw, Ruleset saved) {
        Map<String, Table> tables = new LinkedHashMap<>();
        for (RawTable rt : raw.tables().values()) {
            Table st = saved.table(rt.name());
            Map<String, Chain> chains = new LinkedHashMap<>();
            for (RawChain rc : rt.chains().values()) {
                Chain sc = st == null ? null : st.chain(rc.name());
                List<Rule> kernelRules = sc == null ? List.of() : sc.rules();
                int expected = 0;
                for (RawRule rr : rc.rules()) {
                    expected += SaveParser.expansions(rr);
                }
                if (expected != kernelRules.size()) {
                    Origin o = rc.rules().isEmpty() ? rc.origin() : rc.rules().get(0).origin();
                    throw new IllegalStateException(o + ": the kernel holds " + kernelRules.size()
                            + " rules in chain " + rc.name() + " where " + expected + " were loaded");
                }
                chains.put(rc.name(), new Chain(rc.name(), rc.policy(), kernelRules));
            }
            tables.put(rt.name(), new Table(rt.name(), chains));
        }
        return new Ruleset(raw.family(), tables);
    }
}
