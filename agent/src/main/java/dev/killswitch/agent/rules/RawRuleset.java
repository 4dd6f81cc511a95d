package dev.killswitch.agent.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A family's tables as written (iptables-save text or a desired state), before canonicalisation. */
public record RawRuleset(Family family, Map<String, RawTable> tables) {
    public RawRuleset {
        tables = Collections.unmodifiableMap(new LinkedHashMap<>(tables));
    }
}
