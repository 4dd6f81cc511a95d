package dev.killswitch.agent.rules;

import java.util.List;

/** A {@code -m module} with its options in the module's canonical order. */
public record Match(String module, List<Opt> options) {
    public Match {
        options = List.copyOf(options);
    }

    /** The option with this name, or null. */
    public Opt option(String name) {
        for (Opt o : options) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        return null;
    }
}
