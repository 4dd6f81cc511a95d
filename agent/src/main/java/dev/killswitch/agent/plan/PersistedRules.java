package dev.killswitch.agent.plan;

/** Compares an iptables-persistent rules file with the live rules, ignoring what changes on every save. */
public final class PersistedRules {
    private PersistedRules() {
    }

    /**
     * True when the persisted file holds the live owned tables, foreign chains and rules left out: Docker
     * changing its own chains must not make the persisted file look out of date on every run.
     */
    public static boolean sameOwned(String persisted, dev.killswitch.agent.rules.Ruleset live,
                                    dev.killswitch.agent.diff.Ownership own) {
        if (persisted == null) {
            return false;
        }
        dev.killswitch.agent.rules.Ruleset saved;
        try {
            saved = dev.killswitch.agent.rules.SaveParser.parseCanonical(persisted, live.family());
        } catch (RuntimeException e) {
            return false; // unreadable: rewrite it
        }
        for (String table : own.tables(live.family())) {
            if (!owned(saved.table(table), live.family(), own).equals(owned(live.table(table), live.family(), own))) {
                return false;
            }
        }
        return true;
    }

    private static String owned(dev.killswitch.agent.rules.Table t, dev.killswitch.agent.rules.Family f,
                                dev.killswitch.agent.diff.Ownership own) {
        if (t == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (dev.killswitch.agent.rules.Chain c : t.sorted().chains().values()) {
            if (own.foreignChain(f, t.name(), c.name())) {
                continue;
            }
            sb.append(':').append(c.name()).append(' ').append(c.policy()).append('\n');
            for (dev.killswitch.agent.rules.Rule r : c.rules()) {
                if (!own.foreignRule(f, t.name(), r)) {
                    sb.append(r.text()).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Drops comment lines (they carry dates) and chain counters. */
    public static String normalise(String save) {
        StringBuilder sb = new StringBuilder(save.length());
        for (String line : save.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith(":")) {
                int b = line.lastIndexOf(" [");
                if (b > 0) {
                    line = line.substring(0, b) + " [0:0]";
                }
            } else if (line.startsWith("[")) {
                int e = line.indexOf("] ");
                if (e > 0) {
                    line = line.substring(e + 2);
                }
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
