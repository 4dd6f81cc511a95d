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
     * One argument.
     *
     * @param text   the value after quote removal
     * @param quoted whether any part of it was double-quoted
     * @param start  offset of its first character in the input
     * @param end    offset just after its last character in the input
     */
    public record Token(String text, boolean quoted, int start, int end) {
        /** True for an unquoted {@code !}, iptables' negation marker. */
        public boolean isBang() {
            return !quoted && text.equals("!");
        }
    }

    private Tokenizer() {
    }

    /**
     * Tokenises {@code line}.
     *
     * @throws InputError naming {@code origin} when one argument is too long for iptables
     */
    public static List<Token> tokenize(String line, Origin origin) {
        List<Token> out = new ArrayList<>(16);
        StringBuilder param = new StringBuilder(32);
        boolean quoteOpen = false;
        boolean escaped = false;
        boolean quoted = false;
        int start = -1;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (quoteOpen) {
                if (escaped) {
                    add(param, c, origin);
                    escaped = false;
                    continue;
                } else if (c == '\\') {
                    escaped = true;
                    continue;
                } else if (c == '"') {
                    quoteOpen = false;
                    // falls through: the closing quote ends the token, even an empty one
                } else {
                    add(param, c, origin);
                    continue;
                }
            } else if (c == '"') {
                quoteOpen = true;
                quoted = true;
                if (start < 0) {
                    start = i;
                }
                continue;
            }
            if (c == '"') {
                out.add(new Token(param.toString(), quoted, start, i + 1));
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (param.length() == 0) {
                    continue; // a run of separators
                }
                out.add(new Token(param.toString(), quoted, start, i));
            } else {
                if (start < 0) {
                    start = i;
                }
                add(param, c, origin);
                continue;
            }
            param.setLength(0);
            quoted = false;
            start = -1;
        }
        if (param.length() > 0) {
            // an unterminated quote still yields its text, but iptables no longer marks it quoted
            out.add(new Token(param.toString(), false, start, n));
        }
        return out;
    }

    private static void add(StringBuilder param, char c, Origin origin) {
        param.append(c);
        if (param.length() >= MAX_PARAM) {
            throw new InputError(origin, "parameter too long (iptables accepts at most "
                    + (MAX_PARAM - 1) + " characters)");
        }
    }
}
