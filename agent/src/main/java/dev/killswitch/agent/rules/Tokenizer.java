package dev.killswitch.agent.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits rule text into arguments exactly like iptables-restore (add_param_to_argv in xshared.c).
 * Space, tab and newline separate; a double quote opens a quoted part, even in the middle of a
 * token, and inside it a backslash takes the next character literally; the closing quote ends the
 * token. Single quotes and backslashes outside double quotes are ordinary characters.
 */
public final class Tokenizer {

    /** iptables-restore refuses a single parameter of this many bytes or more. */
    static final int MAX_PARAM = 1024;

    /**
     * One argument. An unquoted {@link Words word} is one shared instance wherever it occurs.
     *
     * @param text   the value after quote removal
     * @param quoted whether any part of it was double-quoted
     */
    public record Token(String text, boolean quoted) {
        /** True for an unquoted {@code !}, iptables' negation marker. */
        public boolean isBang() {
            return !quoted && text.equals("!");
        }
    }

    /**
     * An argument and where it stands in the input.
     *
     * @param start offset of its first character
     * @param end   offset just after its last character
     */
    public record Span(Token token, int start, int end) {
    }

    /**
     * A line's tokens, and whether any of them holds a character a desired rule may refuse (a shell metacharacter
     * or a control character, see {@code BuiltinCanonicalizer.checkToken}): the scan sees every character anyway,
     * so a clean rule needs no second pass to know it.
     */
    public static final class Tokens<T> extends ArrayList<T> {
        private boolean suspect;

        Tokens(int capacity) {
            super(capacity);
        }

        /** True when some token holds a shell metacharacter or a control character. */
        public boolean suspect() {
            return suspect;
        }
    }

    /** What an ASCII character is to the scan: one table lookup per character instead of a compare per kind. */
    private static final byte[] KIND = new byte[128];
    /** Ends an unquoted run: a separator or a double quote. */
    private static final byte STOP = 1;
    /** A character {@link Tokens#suspect} looks for. */
    private static final byte SUSPECT = 2;

    static {
        for (char c = 0; c < 128; c++) {
            int k = isSeparator(c) || c == '"' ? STOP : 0;
            if (BuiltinCanonicalizer.shellMeta(c) || c < 0x20 || c == 0x7f) {
                k |= SUSPECT;
            }
            KIND[c] = (byte) k;
        }
    }

    private static int kind(char c) {
        return c < 128 ? KIND[c] : 0;
    }

    private static boolean suspect(char c) {
        return (kind(c) & SUSPECT) != 0;
    }

    private Tokenizer() {
    }

    /**
     * Tokenises {@code line}.
     *
     * @throws InputError naming {@code origin} when one argument is too long for iptables
     */
    public static Tokens<Token> tokenize(String line, Origin origin) {
        return tokenize(line, Integer.MAX_VALUE, origin);
    }

    /** The first {@code max} tokens of {@code line}. */
    public static Tokens<Token> tokenize(String line, int max, Origin origin) {
        return walk(line, max, origin, (t, scan) -> t);
    }

    /** The first {@code max} tokens of {@code line}, with their places. */
    public static List<Span> spans(String line, int max, Origin origin) {
        return walk(line, max, origin, (t, scan) -> new Span(t, scan.start, scan.pos));
    }

    private static <T> Tokens<T> walk(String line, int max, Origin origin,
                                      java.util.function.BiFunction<Token, Scan, T> as) {
        Tokens<T> out = new Tokens<>(Math.min(max, 16));
        Scan scan = new Scan(line, origin);
        Token t;
        while (out.size() < max && (t = scan.next()) != null) {
            out.add(as.apply(t, scan));
        }
        out.suspect = scan.suspect;
        return out;
    }

    /** A walk over one line: {@link #next} leaves {@link #start} and {@link #pos} around the token it returns. */
    private static final class Scan {
        private final String line;
        private final Origin origin;
        int start;
        int pos;
        /** Whether a token so far held a shell metacharacter or a control character. */
        boolean suspect;

        Scan(String line, Origin origin) {
            this.line = line;
            this.origin = origin;
        }

        /**
         * Tokens without quotes are cut out of the line directly (or are a shared word); only quoted ones are
         * rebuilt character by character.
         */
        Token next() {
            int n = line.length();
            int i = pos;
            while (i < n && isSeparator(line.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return null;
            }
            start = i;
            int h = 0; // String.hashCode of the token, for the word table
            char ch;
            int kinds = 0;
            while (i < n) {
                ch = line.charAt(i);
                int k = kind(ch);
                if ((k & STOP) != 0) {
                    break;
                }
                h = 31 * h + ch;
                kinds |= k;
                i++;
            }
            suspect |= (kinds & SUSPECT) != 0;
            if (i == n || line.charAt(i) != '"') {
                if (i - start >= MAX_PARAM) {
                    throw tooLong(origin);
                }
                pos = i;
                Token w = Words.of(line, start, i, h);
                return w != null ? w : new Token(line.substring(start, i), false);
            }
            // a quote somewhere in this token: do it the long way, exactly like add_param_to_argv
            StringBuilder param = new StringBuilder(i - start + 16);
            param.append(line, start, i);
            boolean quoteOpen = false;
            boolean escaped = false;
            for (; i < n; i++) {
                char c = line.charAt(i);
                if (quoteOpen) {
                    if (escaped) {
                        suspect |= suspect(c);
                        add(param, c, origin);
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        // the closing quote ends the token, even an empty one
                        pos = i + 1;
                        return new Token(param.toString(), true);
                    } else {
                        suspect |= suspect(c);
                        add(param, c, origin);
                    }
                } else if (c == '"') {
                    quoteOpen = true;
                } else {
                    suspect |= suspect(c);
                    add(param, c, origin); // only before the opening quote, which the scan above stopped at
                }
            }
            // an unterminated quote still yields its text, but iptables no longer marks it quoted
            pos = n;
            return param.length() == 0 ? null : new Token(param.toString(), false);
        }
    }

    static boolean isSeparator(char c) {
        return c == ' ' || c == '\t' || c == '\n';
    }

    private static InputError tooLong(Origin origin) {
        return new InputError(origin, "parameter too long (iptables accepts at most " + (MAX_PARAM - 1) + " characters)");
    }

    private static void add(StringBuilder param, char c, Origin origin) {
        param.append(c);
        if (param.length() >= MAX_PARAM) {
            throw tooLong(origin);
        }
    }
}
