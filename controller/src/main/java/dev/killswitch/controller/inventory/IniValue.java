package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.InputError;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Types an INI inventory value as Ansible does with Python's literal_eval: numbers, True/False/None,
 * quoted strings, and [lists]/{dicts} become values; anything else stays the text it is.
 */
final class IniValue {
    private static final Pattern INTEGER = Pattern.compile("[+-]?(0|[1-9](_?[0-9])*)");
    private static final Pattern RADIX = Pattern.compile("[+-]?0([xXoObB])[0-9a-fA-F_]+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?");

    private IniValue() {
    }

    static Object parse(String raw) {
        String text = raw.strip();
        Object literal = literal(text);
        if (literal != NOT_A_LITERAL) {
            return literal;
        }
        // literal_eval ignores a trailing Python comment: "23 # note" is 23, "eu # note" stays text.
        int hash = commentStart(text);
        if (hash > 0) {
            Object before = literal(text.substring(0, hash).strip());
            if (before != NOT_A_LITERAL) {
                return before;
            }
        }
        return text;
    }

    private static final Object NOT_A_LITERAL = new Object();

    private static Object literal(String text) {
        if (text.isEmpty()) {
            return NOT_A_LITERAL;
        }
        switch (text) {
            case "True":
                return true;
            case "False":
                return false;
            case "None":
                return null;
            default:
                break;
        }
        if (INTEGER.matcher(text).matches()) {
            return integer(new BigInteger(text.replace("_", "")));
        }
        if (RADIX.matcher(text).matches()) {
            return radix(text);
        }
        if (FLOAT.matcher(text).matches() && (text.contains(".") || text.contains("e") || text.contains("E"))) {
            return Double.parseDouble(text);
        }
        char first = text.charAt(0);
        char last = text.charAt(text.length() - 1);
        if ((first == '\'' || first == '"') && last == first && text.length() >= 2) {
            return quoted(text);
        }
        if ((first == '[' && last == ']') || (first == '{' && last == '}')) {
            return collection(text);
        }
        return NOT_A_LITERAL;
    }

    private static Object radix(String text) {
        boolean negative = text.startsWith("-");
        String body = text.replaceFirst("^[+-]", "");
        int base = switch (Character.toLowerCase(body.charAt(1))) {
            case 'x' -> 16;
            case 'o' -> 8;
            default -> 2;
        };
        try {
            BigInteger value = new BigInteger(body.substring(2).replace("_", ""), base);
            return integer(negative ? value.negate() : value);
        } catch (NumberFormatException e) {
            return NOT_A_LITERAL;
        }
    }

    /** The smallest of Integer, Long, BigInteger, as the YAML reader returns them. */
    private static Number integer(BigInteger value) {
        if (value.bitLength() < 32) {
            return value.intValue();
        }
        return value.bitLength() < 64 ? (Number) value.longValue() : value;
    }

    private static Object quoted(String text) {
        char quote = text.charAt(0);
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < text.length() - 1; i++) {
            char c = text.charAt(i);
            if (c == quote) {
                return NOT_A_LITERAL; // 'a' 'b' or 'a'b': not one literal
            }
            if (c == '\\' && i + 1 < text.length() - 1) {
                char next = text.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    case '0' -> '\0';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Python list and dict literals are YAML flow collections for the values inventories hold. */
    private static Object collection(String text) {
        try {
            return YamlFile.parse(text, "<ini value>").root();
        } catch (InputError e) {
            return NOT_A_LITERAL;
        }
    }

    private static int commentStart(String text) {
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#') {
                return i;
            }
        }
        return -1;
    }
}
