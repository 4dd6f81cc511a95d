package dev.killswitch.controller.template;

import dev.killswitch.agent.rules.InputError;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Splits a string into text and {@link Expr}s; refuses every Jinja feature beyond variables and default(). */
final class Parser {
    private static final String SUPPORTED = "only {{ var }}, {{ var.sub }}, {{ var['key'] }}, {{ var[0] }}, literals (\'s\', 1, [..]) and | default(x) are supported";

    private final String text;
    private final Function<String, InputError> fail;
    private int pos;

    Parser(String text, Function<String, InputError> fail) {
        this.text = text;
        this.fail = fail;
    }

    /** Literal text as Strings and expressions as Exprs, in order. */
    List<Object> parts() {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        while (pos < text.length()) {
            if (text.startsWith("{%", pos) || text.startsWith("{#", pos)) {
                throw fail.apply("unsupported template syntax '" + text.substring(pos, pos + 2) + "': " + SUPPORTED);
            }
            if (text.startsWith("{{", pos)) {
                if (literal.length() > 0) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                int start = pos;
                pos += 2;
                Expr expr = expression();
                skipSpace();
                if (!text.startsWith("}}", pos)) {
                    throw fail.apply(pos >= text.length()
                            ? "'{{' without a closing '}}' in '" + text.substring(start) + "'"
                            : "unsupported template expression '" + text.substring(start) + "': " + SUPPORTED);
                }
                pos += 2;
                parts.add(expr);
            } else {
                literal.append(text.charAt(pos++));
            }
        }
        if (literal.length() > 0) {
            parts.add(literal.toString());
        }
        return parts;
    }

    private Expr expression() {
        Expr expr = primary();
        while (peek('|')) {
            pos++;
            String filter = name();
            if (!filter.equals("default")) {
                throw unsupported("filter '" + filter + "'");
            }
            expect('(');
            Expr fallback = expression();
            boolean orFalsy = false;
            if (peek(',')) {
                pos++;
                Expr flag = primary();
                if (!(flag instanceof Expr.Literal literal && literal.value() instanceof Boolean b)) {
                    throw unsupported("second argument of default()");
                }
                orFalsy = b;
            }
            expect(')');
            expr = new Expr.Default(expr, fallback, orFalsy);
        }
        return expr;
    }

    private Expr primary() {
        skipSpace();
        if (pos >= text.length()) {
            throw fail.apply("'{{' without a closing '}}' in '" + text + "'");
        }
        char c = text.charAt(pos);
        if (c == '\'' || c == '"') {
            return new Expr.Literal(string());
        }
        if (Character.isDigit(c) || c == '-') {
            return new Expr.Literal(number());
        }
        if (c == '[') {
            // a list of literals, for defaults such as default(['0.0.0.0/0'])
            pos++;
            List<Object> items = new ArrayList<>();
            skipSpace();
            while (!peek(']')) {
                Expr item = primary();
                if (!(item instanceof Expr.Literal lit)) {
                    throw unsupported("a variable inside a list literal");
                }
                items.add(lit.value());
                skipSpace();
                if (peek(',')) {
                    pos++;
                    skipSpace();
                } else if (!peek(']')) {
                    throw unsupported("list literal without a closing ']'");
                }
            }
            pos++;
            return new Expr.Literal(java.util.Collections.unmodifiableList(items));
        }
        if (!Character.isLetter(c) && c != '_') {
            throw unsupported("'" + c + "'");
        }
        int start = pos;
        String root = name();
        switch (root) {
            case "true", "True":
                return new Expr.Literal(true);
            case "false", "False":
                return new Expr.Literal(false);
            case "none", "None":
                return new Expr.Literal(null);
            default:
                break;
        }
        List<Object> keys = new ArrayList<>();
        while (pos < text.length()) {
            if (text.charAt(pos) == '.') {
                pos++;
                keys.add(pos < text.length() && Character.isDigit(text.charAt(pos)) ? (Object) integer() : name());
            } else if (text.charAt(pos) == '[') {
                pos++;
                skipSpace();
                char k = pos < text.length() ? text.charAt(pos) : ' ';
                keys.add(k == '\'' || k == '"' ? string() : (Object) integer());
                expect(']');
            } else {
                break;
            }
        }
        return new Expr.Path(root, List.copyOf(keys), text.substring(start, pos));
    }

    private String name() {
        skipSpace();
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos || Character.isDigit(text.charAt(start))) {
            throw unsupported("a name was expected at '" + text.substring(start) + "'");
        }
        return text.substring(start, pos);
    }

    private int integer() {
        skipSpace();
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw unsupported("an index was expected at '" + text.substring(start) + "'");
        }
        return Integer.parseInt(text.substring(start, pos));
    }

    private Number number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            pos++;
        }
        String n = text.substring(start, pos);
        try {
            if (n.contains(".")) {
                return Double.parseDouble(n);
            }
            long value = Long.parseLong(n);
            return value == (int) value ? (Number) (int) value : (Number) value;
        } catch (NumberFormatException e) {
            throw unsupported("number '" + n + "'");
        }
    }

    private String string() {
        char quote = text.charAt(pos++);
        StringBuilder out = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != quote) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            out.append(c);
        }
        if (pos >= text.length()) {
            throw fail.apply("unterminated string in '" + text + "'");
        }
        pos++;
        return out.toString();
    }

    private boolean peek(char c) {
        skipSpace();
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw unsupported("'" + c + "' was expected at '" + text.substring(Math.min(pos, text.length())) + "'");
        }
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private InputError unsupported(String what) {
        return fail.apply("unsupported template expression in '" + text + "': " + what + "; " + SUPPORTED);
    }
}
