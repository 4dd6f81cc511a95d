package dev.killswitch.agent.rules;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link Table#digest} of each table of iptables-save output, hashed from the text itself: a run of rule lines
 * is the digest's own bytes, so the hash reads the dump once and needs none of the parsed rules. Started when a
 * large dump is read, on the core the parse leaves idle.
 *
 * <p>Only text in iptables-save's own layout is digested this way: per table, the chain declarations first, then
 * the rules grouped by chain in declaration order, each line exactly {@code -A CHAIN args} with single spaces and
 * nothing trailing. A table written any other way (hand-made restore input, {@code -I}, counters, a second block
 * of the same table) gets no digest here, and its {@link Table} works it out from its chains instead: the same
 * value, more slowly.
 */
final class TextDigests {
    private TextDigests() {
    }

    /** From this many characters of kernel text (about 4000 rules), the digests are worth a core of their own. */
    static final int AHEAD_FROM = 256 * 1024;

    /** Digest by table name, for each table laid out as iptables-save prints it; other tables are left out. */
    static Map<String, byte[]> of(String text) {
        Map<String, byte[]> out = new HashMap<>();
        Set<String> seen = new HashSet<>();
        Block block = null;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int nl = text.indexOf('\n', pos);
            if (nl < 0) {
                nl = n; // a last line without a newline: only COMMIT may end a table, and it hashes nothing
            }
            char c = text.charAt(pos);
            if (c == '-' && block != null && block.rule(text, pos, nl)) {
                pos = nl + 1;
                continue;
            }
            if (block != null) {
                block.endRun(text);
            }
            if (c == '*') {
                String name = text.substring(pos + 1, nl);
                // a second block of a table replaces the first: a text digest would hash both
                block = seen.add(name) ? new Block(name) : null;
                if (block == null) {
                    out.remove(name);
                }
            } else if (c == ':' && block != null) {
                block.declare(text, pos, nl);
            } else if (text.startsWith("COMMIT", pos) && nl - pos == 6) {
                if (block != null && block.ok) {
                    out.put(block.name, block.digest.finish());
                }
                block = null;
            } else if (!(c == '#' || nl == pos)) {
                if (block != null) {
                    block.ok = false;
                }
            }
            pos = nl + 1;
        }
        return out;
    }

    /** One table's text being hashed. */
    private static final class Block {
        /** Rule lines are hashed this many characters at a time, or so: a copy of the whole dump as bytes is not. */
        static final int RUN = 64 * 1024;

        final String name;
        /** The table text hashed so far: the same encoding as a table digested from its chains. */
        final Table.Digest digest = new Table.Digest();
        final Set<String> builtins;
        /** Declaration order of the chains, to check that rules come grouped in that order. */
        final Map<String, Integer> declared = new HashMap<>();
        boolean ok;
        boolean rules;
        /** The chain of the rules being read, its declaration index, and where their unhashed run of lines began. */
        String chain;
        int chainIndex = -1;
        int runStart = -1;
        int runEnd;

        Block(String name) {
            this.name = name;
            this.ok = Table.isTable(name);
            this.builtins = ok ? Set.copyOf(Table.builtins(name)) : Set.of();
        }

        /** {@code :NAME POLICY [p:b]}, hashed as {@code :NAME POLICY} with {@code -} for a user chain. */
        void declare(String text, int from, int to) {
            String line = text.substring(from + 1, to);
            String[] w = line.split(" ");
            if (line.indexOf('\t') >= 0 || line.indexOf('\r') >= 0 || line.contains("  ")) {
                ok = false; // separators the parser splits on too: its chain would not read the same
                return;
            }
            if (rules || w.length < 2 || w[0].isEmpty() || declared.putIfAbsent(w[0], declared.size()) != null) {
                ok = false; // declared after rules, or twice: the parsed table would not read the same
                return;
            }
            digest.chain(w[0], builtins.contains(w[0]) ? w[1] : null);
        }

        /**
         * A line {@code -A CHAIN args}: true when it is one, added to the run of lines to hash. A line the
         * parser would read another way spoils the table's digest (and is still a rule line: true).
         */
        boolean rule(String text, int from, int to) {
            if (!text.startsWith("-A ", from)) {
                return false;
            }
            rules = true;
            int chainEnd = text.indexOf(' ', from + 3);
            if (chainEnd < 0 || chainEnd > to) {
                chainEnd = to; // a rule without arguments: "-A CHAIN"
            }
            char last = text.charAt(to - 1);
            if (chainEnd == from + 3 || to >= text.length() || !ok || last == ' ' || last == '\t' || last == '\r'
                    || chainEnd < to && (text.charAt(chainEnd + 1) == ' ' || text.charAt(chainEnd + 1) == '\t')) {
                ok = false; // the parser trims separators: its rule text would differ from the line
                return true;
            }
            if (chain == null || chain.length() != chainEnd - from - 3 || !text.startsWith(chain, from + 3)) {
                String next = text.substring(from + 3, chainEnd);
                Integer index = declared.get(next);
                if (index == null || index <= chainIndex || next.indexOf('"') >= 0 || next.indexOf('\t') >= 0) {
                    ok = false; // undeclared, or out of the declared order: the parsed table would not read the same
                    return true;
                }
                chain = next;
                chainIndex = index;
            }
            if (runStart < 0) {
                runStart = from;
            }
            runEnd = to + 1;
            if (runEnd - runStart >= RUN) {
                endRun(text);
            }
            return true;
        }

        /** Hashes the run of rule lines read since the last other line (or the last {@link #RUN} characters). */
        void endRun(String text) {
            if (runStart >= 0 && ok) {
                digest.text(text, runStart, runEnd);
            }
            runStart = -1;
        }
    }
}
