package dev.killswitch.agent.yaml;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The entries of one YAML mapping in file order, with checks for required and unknown keys. */
public final class Entries implements Iterable<Entries.Entry> {

    /** One key and its value; the key keeps its own line for errors about the key itself. */
    public record Entry(String key, Field keyField, Field value) {
    }

    private final Field owner;
    private final Map<String, Entry> entries;

    public Entries(Field owner, Map<String, Entry> entries) {
        this.owner = owner;
        this.entries = entries;
    }

    public int size() {
        return entries.size();
    }

    /** The value under {@code key}, or null when the key is absent. */
    public Field get(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    public Field required(String key) {
        Field f = get(key);
        if (f == null) {
            String where = owner.path().isEmpty() ? "" : " in " + owner.path();
            throw new InputError(new Origin(owner.origin().file(), owner.line(),
                    owner.childPath(key)), "required key '" + key + "' is missing" + where);
        }
        return f;
    }

    /** Refuses any key not in {@code allowed}, naming it and the allowed ones. */
    public Entries allowOnly(List<String> allowed) {
        for (Entry e : entries.values()) {
            if (!allowed.contains(e.key())) {
                String where = owner.path().isEmpty() ? "at the top level" : "in " + owner.path();
                throw e.keyField().error("unknown key '" + e.key() + "' " + where
                        + "; allowed: " + String.join(", ", allowed));
            }
        }
        return this;
    }

    @Override
    public Iterator<Entry> iterator() {
        return entries.values().iterator();
    }
}
