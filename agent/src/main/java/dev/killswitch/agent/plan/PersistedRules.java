package dev.killswitch.agent.plan;

/** Compares an iptables-persistent rules file with live save output, ignoring what changes on every save. */
public final class PersistedRules {
    private PersistedRules() {
    }

    public static boolean sameRules(String persisted, String live) {
        if (persisted == null || live == null) {
            return persisted == null && live == null;
        }
        return normalise(persisted).equals(normalise(live));
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
