package dev.killswitch.controller.template;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Fills {@code {{ var }}}, {@code {{ var.sub }}}, {@code {{ var['k'] }}}, {@code {{ var[0] }}} and
 * {@code {{ x | default(y) }}} into strings, recursively through maps and lists. Nothing else: no
 * statements, no other filters, no code.
 *
 * <p>A string that is one whole expression keeps the value's type (a port stays a number, a list
 * stays a list); otherwise the parts are joined as text. Variables whose values hold templates are
 * rendered in turn.
 */
public final class Template {
    private static final int MAX_DEPTH = 64;

    private Template() {
    }

    /** Renders every string inside {@code value}; an undefined variable fails naming origin, field path and variable. */
    public static Object render(Object value, Map<String, ?> vars, Origin origin) {
        return new Renderer(vars, origin).value(value, origin.field(), new ArrayDeque<>());
    }

    /** Renders {@code text} and always returns text. */
    public static String renderText(String text, Map<String, ?> vars, Origin origin) {
        Object value = render(text, vars, origin);
        return value instanceof String s ? s : asText(value);
    }

    /** Whether a value holds anything to render. */
    public static boolean isTemplated(Object value) {
        if (value instanceof String s) {
            return s.contains("{{") || s.contains("{%") || s.contains("{#");
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(Template::isTemplated);
        }
        if (value instanceof Collection<?> list) {
            return list.stream().anyMatch(Template::isTemplated);
        }
        return false;
    }

    /** Text as Jinja prints it: None as nothing, booleans as True/False. */
    static String asText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(value);
    }

    /** What a failed lookup evaluates to, until a default() catches it or output needs it. */
    private record Undefined(String name) {
    }

    private record Renderer(Map<String, ?> vars, Origin origin) {

        Object value(Object value, String field, Deque<String> resolving) {
            if (value instanceof String s) {
                return string(s, field, resolving);
            }
            if (value instanceof Map<?, ?> map) {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(k, value(v, field.isEmpty() ? String.valueOf(k) : field + "." + k, resolving)));
                return out;
            }
            if (value instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    out.add(value(list.get(i), field + "[" + i + "]", resolving));
                }
                return out;
            }
            return value;
        }

        Object string(String text, String field, Deque<String> resolving) {
            if (!isTemplated(text)) {
                return text;
            }
            List<Object> parts = new Parser(text, fail(field, resolving)).parts();
            if (parts.size() == 1 && parts.get(0) instanceof Expr only) {
                return defined(eval(only, field, resolving), field, resolving);
            }
            StringBuilder out = new StringBuilder();
            for (Object part : parts) {
                out.append(part instanceof Expr e ? asText(defined(eval(e, field, resolving), field, resolving)) : part);
            }
            return out.toString();
        }

        Object defined(Object value, String field, Deque<String> resolving) {
            if (value instanceof Undefined u) {
                throw fail(field, resolving).apply("undefined variable '" + u.name() + "'");
            }
            return value;
        }

        Object eval(Expr expr, String field, Deque<String> resolving) {
            if (expr instanceof Expr.Literal literal) {
                return literal.value();
            }
            if (expr instanceof Expr.Default d) {
                Object value = eval(d.subject(), field, resolving);
                boolean replace = value instanceof Undefined || (d.orFalsy() && falsy(value));
                return replace ? eval(d.fallback(), field, resolving) : value;
            }
            return lookup((Expr.Path) expr, field, resolving);
        }

        Object lookup(Expr.Path path, String field, Deque<String> resolving) {
            if (!vars.containsKey(path.root())) {
                return new Undefined(path.root());
            }
            if (resolving.contains(path.text()) || resolving.size() >= MAX_DEPTH) {
                throw fail(field, resolving).apply("variable '" + path.text() + "' refers to itself");
            }
            resolving.push(path.text());
            try {
                Object current = vars.get(path.root());
                StringBuilder name = new StringBuilder(path.root());
                for (Object key : path.keys()) {
                    if (current instanceof String) {
                        current = value(current, field, resolving);
                    }
                    name.append(key instanceof Integer ? "[" + key + "]" : "." + key);
                    current = step(current, key);
                    if (current instanceof Undefined) {
                        return new Undefined(name.toString());
                    }
                }
                return value(current, field, resolving);
            } finally {
                resolving.pop();
            }
        }

        static Object step(Object current, Object key) {
            if (current instanceof Map<?, ?> map && map.containsKey(String.valueOf(key))) {
                return map.get(String.valueOf(key));
            }
            if (current instanceof List<?> list && key instanceof Integer i && i >= 0 && i < list.size()) {
                return list.get(i);
            }
            return new Undefined(String.valueOf(key));
        }

        static boolean falsy(Object value) {
            return value == null
                    || Boolean.FALSE.equals(value)
                    || (value instanceof String s && s.isEmpty())
                    || (value instanceof Number n && n.doubleValue() == 0)
                    || (value instanceof Map<?, ?> m && m.isEmpty())
                    || (value instanceof Collection<?> c && c.isEmpty());
        }

        Function<String, InputError> fail(String field, Deque<String> resolving) {
            Origin at = new Origin(origin.file(), origin.line(), field);
            List<String> chain = new ArrayList<>(resolving);
            Collections.reverse(chain);
            String via = chain.isEmpty() ? "" : " (via " + String.join(" -> ", chain) + ")";
            return message -> new InputError(at, message + via);
        }
    }
}
