package dev.killswitch.agent.rules;

import java.util.HashSet;
import java.util.Set;

/**
 * The words rules are mostly made of (option spellings, module, target and protocol names, services), one
 * shared token each. The tokenizer hands these out instead of cutting a new string and token per argument: a
 * desired rule's tokens are half such words, and a shared string carries its hash, which every option lookup
 * asks for.
 */
final class Words {
    /** Open addressing on the string hash; a slot is null or a word's unquoted token. */
    private static final Tokenizer.Token[] TABLE;
    private static final int MASK;

    static {
        Set<String> words = new HashSet<>(Set.of("!", "-s", "--source", "--src", "-d", "--destination", "--dst", "-i",
                "--in-interface", "-o", "--out-interface", "-p", "--protocol", "-f", "--fragments", "-m", "--match",
                "-j", "--jump", "-g", "--goto", "ACCEPT", "DROP", "RETURN", "QUEUE"));
        words.addAll(Names.words());
        words.addAll(Targets.EXTENSIONS);
        for (Extension e : Matches.all()) {
            words.add(e.name);
            words.addAll(e.spellings());
        }
        for (Extension e : Targets.all()) {
            words.addAll(e.spellings());
        }
        int size = Integer.highestOneBit(words.size() * 4);
        TABLE = new Tokenizer.Token[size];
        MASK = size - 1;
        for (String w : words) {
            int k = slot(w.hashCode());
            while (TABLE[k] != null) {
                k = (k + 1) & MASK;
            }
            TABLE[k] = new Tokenizer.Token(w, false);
        }
    }

    private Words() {
    }

    private static int slot(int hash) {
        return (hash ^ (hash >>> 16)) & MASK;
    }

    /**
     * The shared unquoted token of the word {@code line[start, end)}, or null when that is not a word.
     *
     * @param hash that text's {@link String#hashCode}, which the caller computes while scanning it
     */
    static Tokenizer.Token of(String line, int start, int end, int hash) {
        int length = end - start;
        for (int k = slot(hash); ; k = (k + 1) & MASK) {
            Tokenizer.Token w = TABLE[k];
            if (w == null) {
                return null;
            }
            if (w.text().length() == length && line.startsWith(w.text(), start)) {
                return w;
            }
        }
    }
}
