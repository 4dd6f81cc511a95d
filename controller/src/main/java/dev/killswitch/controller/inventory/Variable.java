package dev.killswitch.controller.inventory;

import dev.killswitch.agent.rules.Origin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One variable as a source defined it: its value (deeply immutable; null allowed) and where it was written.
 */
public record Variable(String name, Object value, Origin origin) {

    public Variable {
        value = frozen(value);
    }

    /** Values as plain maps and lists that nobody can change after loading. */
    static Object frozen(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), frozen(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(frozen(v)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
