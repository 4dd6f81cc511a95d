package dev.killswitch.agent.rules;

import dev.killswitch.agent.rules.Tokenizer.Span;
import dev.killswitch.agent.rules.Tokenizer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Reads iptables-save output and iptables-restore input: {@code *table}, {@code :CHAIN POLICY [p:b]},
 * {@code -N}, {@code -A}, {@code -I CHAIN [N]}, {@code [p:b]} rule counters, {@code COMMIT}, comments and
 * blank lines. Rules keep their argument text as written; {@code -I} positions are applied so that each
 * chain lists its rules in kernel order. A file without a {@code *table} line is loaded into filter.
 */
public final class SaveParser {

    private SaveParser() {
    }

    /**
     * Parses a whole file.
     *
     * @throws InputError naming {@code fileName} and the line at fault
     */
    public static RawRuleset parse(String text, String fileName, Family family) {
        return new Reader(fileName).read(text, family);
    }

    /**
     * Parses live iptables-save output into canonical rules. Each rule's text is exactly the text the
     * kernel printed; a rule the builtin model does not reproduce byte for byte is marked unknown.
     */
    public static Ruleset parseCanonical(String saveOutput, Family family) {
        return BuiltinCanonicalizer.observing().canonicalize(parse(saveOutput, family.saveCommand(), family), true);
    }

    /**
     * The live state of one family, as {@link #parseCanonical}; for a large dump each table's digest (a plan's
     * fingerprint, {@link Table#digest}) is hashed from the text meanwhile, on the core the parse leaves idle.
     */
    public static Ruleset parseObserved(String saveOutput, Family family) {
        ForkJoinTask<Map<String, byte[]>> digests = saveOutput.length() >= TextDigests.AHEAD_FROM
                && Runtime.getRuntime().availableProcessors() > 1
                ? ForkJoinPool.commonPool().submit(() -> TextDigests.of(saveOutput)) : null;
        try {
            RawRuleset raw = parse(saveOutput, family.saveCommand(), family);
            return BuiltinCanonicalizer.observing().canonicalize(raw, true, digests);
        } catch (RuntimeException e) {
            if (digests != null) {
                digests.cancel(false);
            }
            throw e;
        }
    }

    /** How many kernel rules a raw rule becomes: the product of its -s and -d comma-list lengths. */
    static int expansions(RawRule rule) {
        List<Token> toks = Tokenizer.tokenize(rule.args(), rule.origin());
        int n = 1;
        for (int i = 0; i + 1 < toks.size(); i++) {
            Token t = toks.get(i);
            if (t.quoted()) {
                continue;
            }
            switch (t.text()) {
                case "-s", "--source", "--src", "-d", "--destination", "--dst" -> {
                    String v = toks.get(i + 1).text();
                    int items = 1;
                    for (int k = 0; k < v.length(); k++) {
                        if (v.charAt(k) == ',') {
                            items++;
                        }
                    }
                    n *= items;
                    i++;
                }
                case "-m", "--match", "-j", "--jump", "-g", "--goto", "-i", "-o", "-p", "--protocol",
                     "--in-interface", "--out-interface" -> i++;
                default -> { }
            }
        }
        return n;
    }

    /** Builds one table while its lines are read. */
    private static final class TableBuilder {
        final String name;
        final Map<String, ChainBuilder> chains = new LinkedHashMap<>();
        /** The chain the last appended rule went to: iptables-save prints a chain's rules together. */
        ChainBuilder last;

        TableBuilder(String name) {
            this.name = name;
        }
    }

    private static final class ChainBuilder {
        final String name;
        String policy;
        final List<RawRule> rules = new ArrayList<>();
        /** Kernel rules per raw rule, to turn an -I position into a raw index. */
        final List<Integer> sizes = new ArrayList<>();
        final Origin origin;

        ChainBuilder(String name, Origin origin) {
            this.name = name;
            this.origin = origin;
        }
    }

    private static final class Reader {
        private final String file;
        private final Map<String, TableBuilder> tables = new LinkedHashMap<>();
        private TableBuilder current;
        private boolean sawTable;
        private int lineNo;

        Reader(String file) {
            this.file = file;
        }

        RawRuleset read(String text, Family family) {
            int pos = 0;
            int n = text.length();
            while (pos <= n) {
                int nl = text.indexOf('\n', pos);
                int end = nl < 0 ? n : nl;
                lineNo++;
                int to = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
                // nearly every line is "-A CHAIN args": appended straight from the text, without a copy of the line
                if (current == null || !appended(current, text, pos, to)) {
                    line(text.substring(pos, to));
                }
                if (nl < 0) {
                    break;
                }
                pos = nl + 1;
            }
            if (current != null && sawTable) {
                throw new InputError(new Origin(file, lineNo, "*" + current.name),
                        "table " + current.name + " is not closed by COMMIT");
            }
            Map<String, RawTable> out = new LinkedHashMap<>();
            for (TableBuilder tb : tables.values()) {
                Map<String, RawChain> chains = new LinkedHashMap<>();
                for (ChainBuilder cb : tb.chains.values()) {
                    chains.put(cb.name, new RawChain(cb.name, cb.policy, cb.rules, cb.origin));
                }
                out.put(tb.name, new RawTable(tb.name, chains));
            }
            return new RawRuleset(family, out);
        }

        private Origin at(String field) {
            return new Origin(file, lineNo, field);
        }

        private void line(String line) {
            String s = line.strip();
            if (s.isEmpty() || s.charAt(0) == '#') {
                return;
            }
            if (s.charAt(0) == '*') {
                if (current != null && sawTable) {
                    throw new InputError(at(s), "table " + current.name + " is not closed by COMMIT before " + s);
                }
                String name = s.substring(1).strip();
                if (!Table.isTable(name)) {
                    throw new InputError(at(s), "unknown table '" + name + "'");
                }
                sawTable = true;
                // a second block of the same table replaces the first, as a restore without --noflush does
                current = new TableBuilder(name);
                tables.put(name, current);
                return;
            }
            if (s.equals("COMMIT")) {
                if (current == null) {
                    throw new InputError(at("COMMIT"), "COMMIT outside a table");
                }
                current = null;
                return;
            }
            TableBuilder table = open();
            if (s.charAt(0) == ':') {
                declare(table, s);
            } else {
                command(table, line);
            }
        }

        private TableBuilder open() {
            if (current == null) {
                if (sawTable) {
                    throw new InputError(at(""), "line outside a table: COMMIT came before it");
                }
                current = tables.computeIfAbsent("filter", TableBuilder::new);
            }
            return current;
        }

        private void declare(TableBuilder table, String s) {
            String[] parts = s.substring(1).strip().split("[ \t]+");
            String name = parts[0];
            if (name.isEmpty()) {
                throw new InputError(at(s), "chain declaration without a name");
            }
            String field = table.name + " " + name;
            if (parts.length < 2) {
                throw new InputError(at(field), "chain declaration without a policy (write '-' for none)");
            }
            String policy = parts[1];
            if (parts.length > 2 && !parts[2].matches("\\[\\d+:\\d+\\]")) {
                throw new InputError(at(field), "bad counters '" + parts[2] + "'");
            }
            boolean builtin = Table.builtins(table.name).contains(name);
            if (!policy.equals("-") && !policy.equals("ACCEPT") && !policy.equals("DROP")) {
                throw new InputError(at(field), "bad policy '" + policy + "' (ACCEPT, DROP or -)");
            }
            ChainBuilder cb = table.chains.computeIfAbsent(name, k -> new ChainBuilder(k, at(field)));
            if (builtin) {
                cb.policy = policy.equals("-") ? null : policy;
            }
            // a policy on a user chain is ignored, as iptables-nft does
        }

        private void command(TableBuilder table, String line) {
            if (appended(table, line, 0, line.length())) {
                return;
            }
            Origin here = at(table.name);
            List<Span> spans = head(line, here);
            List<Token> toks = spans.stream().map(Span::token).toList();
            int first = 0;
            if (!toks.isEmpty() && !toks.get(0).quoted() && toks.get(0).text().startsWith("[")) {
                if (!toks.get(0).text().matches("\\[\\d+:\\d+\\]")) {
                    throw new InputError(here, "bad counters '" + toks.get(0).text() + "'");
                }
                first = 1;
            }
            int cmd = -1;
            for (int k = first; k < toks.size(); k++) {
                Token t = toks.get(k);
                if (cmd < 0 && !t.quoted() && isCommand(t.text())) {
                    cmd = k;
                }
                if (!t.quoted() && (t.text().equals("-t") || t.text().equals("--table"))) {
                    throw new InputError(here, "-t is not allowed in a restore file (the table is the *table line)");
                }
            }
            if (cmd < 0) {
                throw new InputError(here, "not a rule: no -A, -I or -N in '" + line.strip() + "'");
            }
            String c = toks.get(cmd).text();
            if (cmd + 1 >= toks.size()) {
                throw new InputError(here, c + " needs a chain name");
            }
            Token chainTok = toks.get(cmd + 1);
            String chain = chainTok.text();
            String field = table.name + " " + chain;
            switch (c) {
                case "-N", "--new-chain" -> {
                    if (table.chains.containsKey(chain)) {
                        return; // iptables-nft accepts a repeated declaration
                    }
                    table.chains.put(chain, new ChainBuilder(chain, at(field)));
                    return;
                }
                case "-A", "--append", "-I", "--insert" -> { }
                default -> throw new InputError(at(field), c + " is not supported in a rules file");
            }
            ChainBuilder cb = table.chains.get(chain);
            if (cb == null) {
                if (!Table.builtins(table.name).contains(chain)) {
                    throw new InputError(at(field), "chain " + chain + " is not declared (add :" + chain
                            + " - [0:0] or -N " + chain + ")");
                }
                cb = new ChainBuilder(chain, at(field));
                table.chains.put(chain, cb);
            }
            boolean insert = c.equals("-I") || c.equals("--insert");
            int argsFrom = cmd + 2;
            int position = 1;
            if (insert && argsFrom < toks.size() && !toks.get(argsFrom).quoted()
                    && Extension.allDigits(toks.get(argsFrom).text())) {
                long p = Inet.decimal(toks.get(argsFrom).text(), Integer.MAX_VALUE);
                if (p < 1) {
                    throw new InputError(at(field), "bad rule position '" + toks.get(argsFrom).text() + "'");
                }
                position = (int) p;
                argsFrom++;
            }
            String args = argsText(line, spans, first, cmd, argsFrom);
            RawRule rule = new RawRule(args, cb.origin.field().equals(field) ? withLine(cb.origin) : at(field));
            if (!insert) {
                cb.rules.add(rule);
                return;
            }
            // kernel positions count expanded rules: size every rule once an -I needs it
            while (cb.sizes.size() < cb.rules.size()) {
                cb.sizes.add(expansions(cb.rules.get(cb.sizes.size())));
            }
            int size = expansions(rule);
            int kernelIndex = 0;
            int rawIndex = 0;
            while (rawIndex < cb.rules.size() && kernelIndex < position - 1) {
                kernelIndex += cb.sizes.get(rawIndex);
                rawIndex++;
            }
            if (kernelIndex != position - 1) {
                throw new InputError(at(field), kernelIndex < position - 1
                        ? "-I position " + position + " is past the end of chain " + chain
                        : "-I position " + position + " falls inside the expansion of an address list");
            }
            cb.rules.add(rawIndex, rule);
            cb.sizes.add(rawIndex, size);
        }

        /**
         * The shape of nearly every line iptables-save prints, {@code -A CHAIN args} with no quote in the
         * part the general path tokenizes, appended without tokenizing: the same result, a fraction of
         * the work. False (nothing done) for any other line. The line is {@code text} from {@code from} to
         * {@code to}.
         */
        private boolean appended(TableBuilder table, String text, int from, int to) {
            if (to - from < 4 || !text.startsWith("-A ", from)) {
                return false;
            }
            int chainStart = from + 3;
            int chainEnd = wordEnd(text, chainStart, to);
            if (chainEnd <= chainStart) {
                return false;
            }
            ChainBuilder cb = table.last;
            if (cb == null || cb.name.length() != chainEnd - chainStart
                    || !text.regionMatches(chainStart, cb.name, 0, cb.name.length())) {
                cb = table.chains.get(text.substring(chainStart, chainEnd));
                if (cb == null) {
                    return false; // undeclared: the general path says so
                }
                table.last = cb;
            }
            int argsStart = skipSeparators(text, chainEnd, to);
            // the general path also refuses -t among the first three arguments
            for (int w = 0, at = argsStart; w < 3 && at < to; w++) {
                int end = wordEnd(text, at, to);
                if (end < 0 || text.startsWith("-t", at) && (end - at == 2)
                        || text.startsWith("--table", at) && (end - at == 7)) {
                    return false;
                }
                at = skipSeparators(text, end, to);
            }
            cb.rules.add(new RawRule(trim(text.substring(argsStart, to)), withLine(cb.origin)));
            return true;
        }

        /** The end of the word starting at {@code from}, or -1 when a quote makes it more than a word. */
        private static int wordEnd(String text, int from, int to) {
            int i = from;
            while (i < to && !Tokenizer.isSeparator(text.charAt(i))) {
                if (text.charAt(i) == '"') {
                    return -1;
                }
                i++;
            }
            return i;
        }

        private static int skipSeparators(String text, int from, int to) {
            int i = from;
            while (i < to && Tokenizer.isSeparator(text.charAt(i))) {
                i++;
            }
            return i;
        }

        private Origin withLine(Origin o) {
            return new Origin(file, lineNo, o.field());
        }

        /**
         * The first tokens of a rule line, enough to find the counters, the command, its chain and an
         * -I position; the whole line only when the command is not in front.
         */
        private static List<Span> head(String line, Origin here) {
            // the head of a rule line is short: tokenize a prefix unless a token runs past it
            List<Span> toks = line.length() <= 128 ? Tokenizer.spans(line, 5, here)
                    : Tokenizer.spans(line.substring(0, 128), 5, here);
            if (line.length() > 128 && (toks.size() < 5 || toks.get(toks.size() - 1).end() >= 127)) {
                toks = Tokenizer.spans(line, 5, here);
            }
            int first = !toks.isEmpty() && toks.get(0).token().text().startsWith("[") ? 1 : 0;
            if (toks.size() > first && !toks.get(first).token().quoted()
                    && isCommand(toks.get(first).token().text())) {
                return toks;
            }
            return Tokenizer.spans(line, Integer.MAX_VALUE, here);
        }

        private static boolean isCommand(String s) {
            return switch (s) {
                case "-A", "--append", "-I", "--insert", "-N", "--new-chain", "-D", "--delete", "-R", "--replace",
                     "-F", "--flush", "-X", "--delete-chain", "-P", "--policy", "-E", "--rename-chain", "-Z",
                     "--zero", "-C", "--check", "-L", "--list", "-S", "--list-rules" -> true;
                default -> false;
            };
        }

        /** The rule's arguments as written: everything but the counters, the command and its chain (and -I N). */
        private static String argsText(String line, List<Span> toks, int first, int cmd, int argsFrom) {
            String before = cmd > first ? line.substring(toks.get(first).start(), toks.get(cmd).start()) : "";
            String after = argsFrom < toks.size() ? line.substring(toks.get(argsFrom).start()) : "";
            String joined = before.isEmpty() ? after : trim(before) + " " + after;
            return trim(joined);
        }

        /** Trims what iptables treats as separators (space, tab), nothing else. */
        private static String trim(String s) {
            int a = 0;
            int b = s.length();
            while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
                a++;
            }
            while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
                b--;
            }
            return s.substring(a, b);
        }
    }
}
