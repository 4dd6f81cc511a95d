package dev.killswitch.agent.observe;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Ruleset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the host has now, read fresh on every run: the canonical rulesets, the raw save text they
 * came from (kept for backups), the sysctls the desired state names and the persisted files.
 *
 * @param backend   nf_tables or legacy
 * @param rulesets  canonical live rules per family
 * @param saveText  the iptables-save output per family
 * @param sysctls   live value per sysctl key asked for (null when the key does not exist)
 * @param files     content of each persistence target asked for (null when missing)
 */
public record LiveState(
        String backend,
        Map<Family, Ruleset> rulesets,
        Map<Family, String> saveText,
        Map<String, String> sysctls,
        Map<String, String> files) {

    public LiveState {
        rulesets = Collections.unmodifiableMap(new LinkedHashMap<>(rulesets));
        saveText = Collections.unmodifiableMap(new LinkedHashMap<>(saveText));
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
        files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    }

    public Ruleset ruleset(Family f) {
        Ruleset r = rulesets.get(f);
        return r != null ? r : Ruleset.empty(f);
    }
}
