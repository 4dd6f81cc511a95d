package dev.killswitch.agent.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A table as written, before canonicalisation. */
public record RawTable(String name, Map<String, RawChain> chains) {
    public RawTable {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    }
}
