package dev.killswitch.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Generated rulesets of a given size, matching on addresses, ports, interfaces, conntrack and comments,
 * deterministic for a size, in one of two shapes: {@code gateway}, a busy gateway's (most rules in user
 * chains of 1000 rules each, jumped to from INPUT), or {@code flat}, a blocklist's (every rule in INPUT).
 */
public final class Rulesets {
    private Rulesets() {
    }

    /** The kernel-canonical form, as iptables-save prints it. */
    public static String canonical(int rules, String shape) {
        StringBuilder sb = new StringBuilder(rules * 80);
        sb.append("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n");
        int chains = chains(rules, shape);
        for (int c = 0; c < chains; c++) {
            sb.append(":svc").append(String.format("%04d", c)).append(" - [0:0]\n");
        }
        // iptables-save prints a chain's rules together: group them, each chain's rules in their order
        java.util.Map<String, List<String>> byChain = new java.util.TreeMap<>(
                java.util.Comparator.comparing((String c) -> !c.equals("INPUT")).thenComparing(c -> c));
        for (String line : lines(rules, chains, true)) {
            byChain.computeIfAbsent(line.substring(3, line.indexOf(' ', 3)), k -> new ArrayList<>()).add(line);
        }
        byChain.values().forEach(list -> list.forEach(line -> sb.append(line).append('\n')));
        return sb.append("COMMIT\n").toString();
    }

    /** The same rules as an operator writes them (host addresses, long options, names), for the desired state. */
    public static List<String> spelled(int rules, String shape) {
        return lines(rules, chains(rules, shape), false);
    }

    /** User chains of the shape: none for flat. */
    private static int chains(int rules, String shape) {
        return switch (shape) {
            case "gateway" -> Math.max(1, rules / 1000);
            case "flat" -> 0;
            default -> throw new IllegalArgumentException("shape: gateway or flat, not " + shape);
        };
    }

    private static List<String> lines(int rules, int chains, boolean canonical) {
        List<String> out = new ArrayList<>(rules);
        for (int c = 0; c < chains; c++) {
            String chain = "svc" + String.format("%04d", c);
            out.add(canonical ? "-A INPUT -i eth0 -j " + chain : "-A INPUT --in-interface eth0 --jump " + chain);
        }
        int left = rules - chains;
        for (int i = 0; i < left; i++) {
            String chain = chains == 0 ? "INPUT" : "svc" + String.format("%04d", i % chains);
            int a = (i / 250) % 250;
            int b = i % 250;
            int port = 1024 + (i % 60000);
            switch (i % 4) {
                case 0 -> out.add(canonical
                        ? "-A " + chain + " -s 10." + a + "." + b + ".1/32 -p tcp -m tcp --dport " + port + " -j ACCEPT"
                        : "-A " + chain + " -p tcp -s 10." + a + "." + b + ".1 --dport " + port + " -j ACCEPT");
                case 1 -> out.add(canonical
                        ? "-A " + chain + " -s 172.16." + a + ".0/24 -p udp -m udp --sport 53 -m comment --comment svc-"
                        + i + " -j ACCEPT"
                        : "-A " + chain + " --protocol udp --source 172.16." + a + "." + b + "/255.255.255.0 --sport domain"
                        + " -m comment --comment \"svc-" + i + "\" -j ACCEPT");
                case 2 -> out.add(canonical
                        ? "-A " + chain + " -d 192.168." + a + "." + b + "/32 -m conntrack --ctstate RELATED,ESTABLISHED"
                        + " -j ACCEPT"
                        : "-A " + chain + " -d 192.168." + a + "." + b + " -m conntrack --ctstate established,related"
                        + " -j ACCEPT");
                default -> out.add(canonical
                        ? "-A " + chain + " -p tcp -m multiport --dports 80,443," + port + " -j DROP"
                        : "-A " + chain + " -p tcp -m multiport --dports http,https," + port + " -j DROP");
            }
        }
        return out;
    }

    /** Prints the canonical ruleset of the given size and shape (default gateway), for loading into a namespace. */
    public static void main(String[] args) {
        System.out.print(canonical(Integer.parseInt(args[0]), args.length > 1 ? args[1] : "gateway"));
    }
}
