package dev.killswitch.agent.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A table with its chains in iptables-save order: built-ins in hook order, then user chains by name. */
public record Table(String name, Map<String, Chain> chains) {

    public Table {
        chains = Collections.unmodifiableMap(new LinkedHashMap<>(chains));
    }

    /** Built-in chains of each table, in hook order. */
    public static List<String> builtins(String table) {
        return switch (table) {
            case "filter" -> List.of("INPUT", "FORWARD", "OUTPUT");
            case "nat" -> List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
            case "mangle" -> List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
            case "raw" -> List.of("PREROUTING", "OUTPUT");
            case "security" -> List.of("INPUT", "FORWARD", "OUTPUT");
            default -> throw new IllegalArgumentException("unknown table: " + table);
        };
    }

    public static boolean isTable(String name) {
        return switch (name) {
            case "filter", "nat", "mangle", "raw", "security" -> true;
            default -> false;
        };
    }

    /** iptables-nft prints tables in this order whatever the input order. */
    public static final List<String> SAVE_ORDER = List.of("mangle", "security", "raw", "filter", "nat");

    public Chain chain(String chain) {
        return chains.get(chain);
    }

    /** A copy with the chains re-ordered the way iptables-save prints them. */
    public Table sorted() {
        Map<String, Chain> out = new LinkedHashMap<>();
        for (String b : builtins(name)) {
            Chain c = chains.get(b);
            out.put(b, c != null ? c : new Chain(b, "ACCEPT", List.of()));
        }
        List<String> users = new ArrayList<>();
        for (String n : chains.keySet()) {
            if (!out.containsKey(n)) {
                users.add(n);
            }
        }
        users.sort(null); // byte order, as iptables-save sorts
        for (String u : users) {
            out.put(u, chains.get(u));
        }
        return new Table(name, out);
    }

    public Table withChain(Chain c) {
        Map<String, Chain> m = new LinkedHashMap<>(chains);
        m.put(c.name(), c);
        return new Table(name, m);
    }

    public Table withoutChain(String chain) {
        Map<String, Chain> m = new LinkedHashMap<>(chains);
        m.remove(chain);
        return new Table(name, m);
    }
}
