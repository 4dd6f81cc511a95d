package dev.killswitch.agent.observe;

import dev.killswitch.agent.guard.SshContext;
import dev.killswitch.agent.rules.Chain;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Ruleset;
import dev.killswitch.agent.rules.SaveParser;
import dev.killswitch.agent.rules.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Gathers {@link Facts} and the SSH context from the host, through a {@link CommandRunner}. */
public final class FactsReader {
    private final CommandRunner run;
    private final Sysctls sysctls;
    private final Path wireguardDir;
    private Map<String, List<String>> addresses;

    public FactsReader(CommandRunner run, Sysctls sysctls, Path wireguardDir) {
        this.run = run;
        this.sysctls = sysctls;
        this.wireguardDir = wireguardDir;
    }

    public Facts gather(String sshConnection) throws IOException {
        CommandRunner.Result v = run.run(List.of("iptables", "--version"), null);
        String version = v.stdout().trim();
        String backend = Observer.backendOf(version);
        Map<String, List<String>> addrs = addresses();
        // every table: wg-quick puts a full tunnel's default route in a table of its own (51820), not in main
        List<String> routes4 = lines(run.run(List.of("ip", "-o", "-4", "route", "show", "table", "all"), null));
        List<String> routes6 = lines(run.run(List.of("ip", "-o", "-6", "route", "show", "table", "all"), null));
        List<String> routes = new ArrayList<>(routes4);
        routes.addAll(routes6);
        Map<String, String> disabled = new LinkedHashMap<>();
        for (String k : List.of("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")) {
            disabled.put(k, sysctls.read(k));
        }
        Map<String, String> policies = new LinkedHashMap<>();
        CommandRunner.Result s6 = run.run(List.of("ip6tables-save", "-t", "filter"), null);
        if (s6.ok()) {
            Ruleset rs = SaveParser.parseCanonical(s6.stdout(), Family.IPV6);
            Table t = rs.table("filter");
            if (t != null) {
                for (Chain c : t.chains().values()) {
                    if (c.builtin()) {
                        policies.put(c.name(), c.policy());
                    }
                }
            }
        }
        return new Facts(backend, version, defaultDev(routes4), defaultDev(routes6), addrs, wireguard(addrs), sshConnection,
                new Facts.Ipv6(disabled, policies), routes);
    }

    /** Parses SSH_CONNECTION and finds the interfaces the flow uses; extra sources get their route's interface. */
    public SshContext ssh(String sshConnection, List<String> extraSources) throws IOException {
        Map<String, String> routeIfaces = new LinkedHashMap<>();
        for (String src : extraSources) {
            String addr = src.contains("/") ? src.substring(0, src.indexOf('/')) : src;
            String dev = routeDev(addr);
            if (dev != null) {
                routeIfaces.put(addr, dev);
            }
        }
        if (sshConnection == null || sshConnection.isBlank()) {
            return new SshContext(null, null, null, null, null, null, routeIfaces);
        }
        String[] p = sshConnection.trim().split("\\s+");
        if (p.length != 4) {
            return new SshContext(null, null, null, null, null, null, routeIfaces);
        }
        String client = stripZone(p[0]);
        String server = stripZone(p[2]);
        String inIface = null;
        for (Map.Entry<String, List<String>> e : addresses().entrySet()) {
            for (String a : e.getValue()) {
                if (a.substring(0, a.indexOf('/') < 0 ? a.length() : a.indexOf('/')).equals(server)) {
                    inIface = e.getKey();
                }
            }
        }
        String outIface = routeDev(client);
        return new SshContext(client, Integer.valueOf(p[1]), server, Integer.valueOf(p[3]), inIface, outIface,
                routeIfaces);
    }

    private static String stripZone(String addr) {
        int z = addr.indexOf('%');
        return z < 0 ? addr : addr.substring(0, z);
    }

    private String routeDev(String addr) throws IOException {
        CommandRunner.Result r = run.run(List.of("ip", "-o", "route", "get", addr), null);
        return r.ok() ? word(r.stdout(), "dev") : null;
    }

    /**
     * The device of the main table's default route (what {@code ip route show default} prints first), from
     * {@code ip -o route show table all}: routes of the main table are the ones printed without a table.
     */
    static String defaultDev(List<String> routesOfAllTables) {
        for (String line : routesOfAllTables) {
            List<String> w = List.of(line.trim().split("\\s+"));
            if (w.get(0).equals("default") && !w.contains("table")) {
                return word(line, "dev");
            }
        }
        return null;
    }

    /** The word after {@code key} in an ip(8) line. */
    static String word(String line, String key) {
        String[] w = line.trim().split("\\s+");
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals(key)) {
                return w[i + 1];
            }
        }
        return null;
    }

    /** The interfaces' addresses, listed once per reader (one agent call): facts and the SSH context both need them. */
    private Map<String, List<String>> addresses() throws IOException {
        if (addresses == null) {
            addresses = listAddresses();
        }
        return addresses;
    }

    private Map<String, List<String>> listAddresses() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : lines(run.run(List.of("ip", "-o", "addr", "show"), null))) {
            // "2: eth0    inet 203.0.113.11/24 brd ... scope global eth0\..."
            String[] w = line.trim().split("\\s+");
            if (w.length >= 4 && (w[2].equals("inet") || w[2].equals("inet6"))) {
                String dev = w[1];
                int at = dev.indexOf('@');
                out.computeIfAbsent(at < 0 ? dev : dev.substring(0, at), k -> new ArrayList<>()).add(w[3]);
            }
        }
        return out;
    }

    private List<Facts.WireGuard> wireguard(Map<String, List<String>> addrs) throws IOException {
        Map<String, Facts.WireGuard> out = new LinkedHashMap<>();
        CommandRunner.Result r;
        try {
            r = run.run(List.of("wg", "show", "all", "endpoints"), null);
        } catch (IOException e) {
            r = new CommandRunner.Result(127, "", "wg not installed");
        }
        if (r.ok()) {
            for (String line : lines(r)) {
                String[] w = line.trim().split("\\s+");
                if (w.length >= 1) {
                    List<String> eps = new ArrayList<>();
                    if (w.length >= 3 && !w[2].equals("(none)")) {
                        eps.add(w[2]);
                    }
                    Facts.WireGuard prev = out.get(w[0]);
                    if (prev != null) {
                        eps.addAll(0, prev.endpoints());
                    }
                    out.put(w[0], new Facts.WireGuard(w[0], eps, addrs.getOrDefault(w[0], List.of()), null, true));
                }
            }
        }
        if (Files.isDirectory(wireguardDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(wireguardDir, "*.conf")) {
                for (Path conf : ds) {
                    String name = conf.getFileName().toString().replaceFirst("\\.conf$", "");
                    WgQuickConfig c = WgQuickConfig.parse(Files.readString(conf, StandardCharsets.UTF_8));
                    Facts.WireGuard live = out.get(name);
                    List<String> eps = live != null && !live.endpoints().isEmpty() ? live.endpoints() : c.endpoints();
                    out.put(name, new Facts.WireGuard(name, eps,
                            live != null ? live.addresses() : c.addresses(), conf.toString(), live != null));
                }
            } catch (IOException e) {
                // an unreadable config is reported as absent; the live interface still counts
            }
        }
        return new ArrayList<>(out.values());
    }

    private static List<String> lines(CommandRunner.Result r) {
        List<String> out = new ArrayList<>();
        if (r.ok()) {
            for (String l : r.stdout().split("\n")) {
                if (!l.isBlank()) {
                    out.add(l.trim());
                }
            }
        }
        return out;
    }
}
