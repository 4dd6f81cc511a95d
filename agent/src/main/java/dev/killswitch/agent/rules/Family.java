package dev.killswitch.agent.rules;

/** An address family, each with its own iptables binaries and its own transaction. */
public enum Family {
    IPV4("ipv4", "iptables"),
    IPV6("ipv6", "ip6tables");

    private final String key;
    private final String binary;

    Family(String key, String binary) {
        this.key = key;
        this.binary = binary;
    }

    /** The key used in desired-state YAML and JSON reports: {@code ipv4} or {@code ipv6}. */
    public String key() {
        return key;
    }

    public String saveCommand() {
        return binary + "-save";
    }

    public String restoreCommand() {
        return binary + "-restore";
    }

    public static Family ofKey(String key) {
        for (Family f : values()) {
            if (f.key.equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown family: " + key);
    }
}
