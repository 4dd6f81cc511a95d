package dev.killswitch.controller.render;

import dev.killswitch.agent.yaml.Field;
import dev.killswitch.controller.template.Template;
import java.util.Map;

/** Reads scalars of a play section with {@code {{ var }}} substituted from one host's variables. */
final class Scalars {
    private final Map<String, ?> vars;

    Scalars(Map<String, ?> vars) {
        this.vars = vars;
    }

    String text(Field f) {
        String raw = f.scalar();
        if (raw == null) {
            throw f.error("expected a value, got nothing (null)");
        }
        return Template.renderText(raw, vars, f.origin());
    }

    /** A list item's text and the node it came from (for errors). */
    record Item(String text, Field field) {
    }

    /** A list written as a YAML list, or as one template that renders to a list ({@code "{{ admin_networks }}"}). */
    java.util.List<Item> list(Field f) {
        java.util.List<Item> out = new java.util.ArrayList<>();
        if (f.isList()) {
            for (Field item : f.list()) {
                out.add(new Item(text(item), item));
            }
            return out;
        }
        Object v = Template.render(f.scalar(), vars, f.origin());
        if (!(v instanceof java.util.List<?> l)) {
            throw f.error("expected a list, got '" + v + "'");
        }
        for (Object o : l) {
            out.add(new Item(String.valueOf(o), f));
        }
        return out;
    }

    int integer(Field f) {
        String v = text(f);
        try {
            int n = Integer.parseInt(v.trim());
            return n;
        } catch (NumberFormatException e) {
            throw f.error("expected an integer, got '" + v + "'");
        }
    }

    boolean bool(Field f) {
        String v = text(f).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (v) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw f.error("expected true or false, got '" + v + "'");
        };
    }
}
