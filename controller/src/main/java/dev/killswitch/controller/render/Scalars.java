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
