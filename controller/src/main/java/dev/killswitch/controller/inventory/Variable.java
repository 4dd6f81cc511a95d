package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.InputError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One variable as a source defined it: its value (deeply immutable; null allowed) and where it was written.
 */
public record Variable(String name, Object value, Origin origin) {

    /** More values than this, counting every alias expanded, is a YAML bomb, not a variable. */
    static final long MAX_VALUES = 100_000;

    public Variable {
        value = new Freezer(name, origin).frozen(value);
    }

    /**
     * Makes values plain maps and lists that nobody can change after loading. Copies each distinct node once, so aliases stay shared instead of multiplying, and refuses what
     * would multiply past {@link #MAX_VALUES} when walked (a "billion laughs") or contain itself.
     */
    private static final class Freezer {
        private final String name;
        private final Origin origin;
        private final Map<Object, Object> done = new IdentityHashMap<>();
        private final Map<Object, Long> sizes = new IdentityHashMap<>();
        private final Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());

        Freezer(String name, Origin origin) {
            this.name = name;
            this.origin = origin;
        }

        Object frozen(Object value) {
            Object copy = copy(value);
            if (size(value) > MAX_VALUES) {
                throw new InputError(origin, name + " expands to more than " + MAX_VALUES
                        + " values through YAML aliases; refusing a YAML bomb");
            }
            return copy;
        }

        private Object copy(Object value) {
            if (!(value instanceof Map || value instanceof List)) {
                return value;
            }
            Object known = done.get(value);
            if (known != null) {
                return known;
            }
            if (!open.add(value)) {
                throw new InputError(origin, name + " contains itself (an alias inside its own anchor)");
            }
            Object result;
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> copy = new LinkedHashMap<>();
                map.forEach((k, v) -> copy.put(String.valueOf(k), copy(v)));
                result = Collections.unmodifiableMap(copy);
            } else {
                List<?> list = (List<?>) value;
                List<Object> copy = new ArrayList<>(list.size());
                list.forEach(v -> copy.add(copy(v)));
                result = Collections.unmodifiableList(copy);
            }
            open.remove(value);
            done.put(value, result);
            return result;
        }

        /** How many values a walk of {@code value} meets, aliases counted each time (saturating). */
        private long size(Object value) {
            if (!(value instanceof Map || value instanceof List)) {
                return 1;
            }
            Long known = sizes.get(value);
            if (known != null) {
                return known;
            }
            long n = 1;
            for (Object v : value instanceof Map<?, ?> m ? m.values() : (List<?>) value) {
                n = Math.min(Long.MAX_VALUE / 4, n + size(v));
            }
            sizes.put(value, n);
            return n;
        }
    }
}
