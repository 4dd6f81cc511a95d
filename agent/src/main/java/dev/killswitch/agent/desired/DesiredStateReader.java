package dev.killswitch.agent.desired;

import dev.killswitch.agent.desired.DesiredState.Expectation;
import dev.killswitch.agent.desired.DesiredState.Guards;
import dev.killswitch.agent.desired.DesiredState.Persist;
import dev.killswitch.agent.desired.DesiredState.Ssh;
import dev.killswitch.agent.desired.DesiredState.Sysctl;
import dev.killswitch.agent.desired.DesiredState.TableSpec;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.Table;
import dev.killswitch.agent.yaml.Entries;
import dev.killswitch.agent.yaml.Field;
import dev.killswitch.agent.yaml.YamlDocument;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/** Reads a {@code killswitch/v1 DesiredState} YAML document, refusing anything doubtful with file, line and field. */
public final class DesiredStateReader {
    /** Larger files are refused before parsing. */
    public static final int MAX_BYTES = 8 * 1024 * 1024;
    /** Deepest nesting of mappings and lists; a desired state needs five. */
    static final int MAX_DEPTH = 16;

    static final List<String> TOP_KEYS =
            List.of("apiVersion", "kind", "host", "ipv4", "ipv6", "sysctl", "persist", "guards");
    static final List<String> TABLES = List.of("filter", "nat", "mangle", "raw", "security");
    static final List<String> TABLE_KEYS = List.of("policies", "chains", "ignore");
    static final List<String> POLICIES = List.of("ACCEPT", "DROP");
    static final List<String> PERSIST_KEYS = List.of("rules_v4", "rules_v6", "sysctl");
    static final List<String> GUARD_KEYS = List.of("ssh", "expect");
    static final List<String> SSH_KEYS = List.of("ports", "from");
    static final List<String> VERDICTS = List.of("allow", "deny");
    static final List<String> EXPECT_KEYS =
            List.of("family", "chain", "in", "out", "proto", "src", "dst", "sport", "dport", "state");
    static final List<String> EXPECT_CHAINS = List.of("INPUT", "OUTPUT", "FORWARD");
    static final List<String> PROTOS =
            List.of("tcp", "udp", "udplite", "sctp", "dccp", "icmp", "ipv6-icmp", "esp", "ah", "gre");
    static final List<String> STATES = List.of("NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED");
    /** Chain names iptables reserves for verdicts. */
    static final List<String> RESERVED_CHAINS = List.of("ACCEPT", "DROP", "RETURN", "QUEUE");
    static final List<Integer> DEFAULT_SSH_PORTS = List.of(22);

    /** Host names: the desired state's host field, and inventory host names (the controller checks the same). */
    public static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.:-]{1,253}");
    // iptables allows more than this in chain names; these are the characters real rulesets use (ufw's
    // "GOOD~STUFF", firewalld's "IN_public_allow") that are safe near a shell
    static final Pattern CHAIN = Pattern.compile("[A-Za-z0-9_.~+:@%-]{1,28}");
    /** Ignore globs and interface names, as the desired state accepts them (the controller checks the same). */
    public static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*?-]+");
    static final Pattern SYSCTL_KEY = Pattern.compile("[a-z0-9_.-]+");
    static final Pattern SYSCTL_VALUE = Pattern.compile("[A-Za-z0-9 ._-]+");
    public static final Pattern IFACE = Pattern.compile("[A-Za-z0-9_.:-]{1,15}");

    private DesiredStateReader() {
    }

    private static final YamlDocument YAML = new YamlDocument(MAX_BYTES, MAX_DEPTH, "a desired state");

    /** Reads a file; the caller handles {@code -} (stdin) by reading it and calling {@link #read(String, String)}. */
    public static DesiredState read(Path path) {
        return state(YAML.read(path), path.toString());
    }

    /** Reads a document held in memory; {@code fileName} is only used in messages and origins. */
    public static DesiredState read(String fileName, String text) {
        return state(YAML.read(fileName, text), fileName);
    }

    private static DesiredState state(Field root, String file) {
        if (root == null) {
            throw new InputError(new Origin(file, 1, ""), "empty document; expected apiVersion: "
                    + DesiredState.API_VERSION + " and kind: " + DesiredState.KIND);
        }
        Entries top = root.mapping();
        String api = top.required("apiVersion").text();
        if (!api.equals(DesiredState.API_VERSION)) {
            throw top.get("apiVersion").error("unsupported apiVersion '" + api + "'; this agent reads "
                    + DesiredState.API_VERSION);
        }
        String kind = top.required("kind").text();
        if (!kind.equals(DesiredState.KIND)) {
            throw top.get("kind").error("kind must be " + DesiredState.KIND + ", got '" + kind + "'");
        }
        top.allowOnly(TOP_KEYS);
        String host = top.required("host").word(HOST, "host");
        Map<Family, Map<String, TableSpec>> families = new LinkedHashMap<>();
        Map<String, Sysctl> sysctl = Map.of();
        Persist persist = null;
        Guards guards = new Guards(new Ssh(DEFAULT_SSH_PORTS, List.of()), List.of());
        for (Entries.Entry e : top) {
            switch (e.key()) {
                case "ipv4", "ipv6" -> families.put(Family.ofKey(e.key()), tables(e.value()));
                case "sysctl" -> sysctl = sysctl(e.value());
                case "persist" -> persist = persist(e.value());
                case "guards" -> guards = guards(e.value());
                default -> {
                }
            }
        }
        return new DesiredState(file, host, Collections.unmodifiableMap(families), sysctl, persist, guards);
    }

    private static Map<String, TableSpec> tables(Field family) {
        Entries tables = family.mapping().allowOnly(TABLES);
        Map<String, TableSpec> out = new LinkedHashMap<>();
        for (Entries.Entry e : tables) {
            out.put(e.key(), table(e.key(), e.keyField(), e.value()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static TableSpec table(String table, Field key, Field value) {
        Entries spec = value.mapping().allowOnly(TABLE_KEYS);
        List<String> builtins = Table.builtins(table);
        Map<String, String> policies = new LinkedHashMap<>();
        if (spec.get("policies") != null) {
            for (Entries.Entry p : spec.get("policies").mapping()) {
                if (!builtins.contains(p.key())) {
                    throw p.keyField().error("only built-in chains have a policy; " + table + " has "
                            + String.join(", ", builtins) + ", not '" + p.key() + "'");
                }
                policies.put(p.key(), oneOf(p.value(), POLICIES, "policy"));
            }
        }
        Map<String, List<RawRule>> chains = new LinkedHashMap<>();
        if (spec.get("chains") != null) {
            for (Entries.Entry c : spec.get("chains").mapping()) {
                chainName(table, c.keyField());
                chains.put(c.key(), rules(c.value()));
            }
        }
        List<String> ignore = new ArrayList<>();
        if (spec.get("ignore") != null) {
            for (Field item : spec.get("ignore").list()) {
                String glob = item.word(GLOB, "ignore pattern");
                for (String owned : owned(policies, chains)) {
                    if (OwnedTables.globMatches(glob, owned)) {
                        throw item.error("ignore pattern '" + glob + "' matches the owned chain " + owned
                                + "; a chain is either owned or ignored");
                    }
                }
                ignore.add(glob);
            }
        }
        return new TableSpec(table, Collections.unmodifiableMap(policies), Collections.unmodifiableMap(chains),
                List.copyOf(ignore), key.origin());
    }

    private static List<String> owned(Map<String, String> policies, Map<String, List<RawRule>> chains) {
        List<String> owned = new ArrayList<>(chains.keySet());
        for (String p : policies.keySet()) {
            if (!owned.contains(p)) {
                owned.add(p);
            }
        }
        return owned;
    }

    private static void chainName(String table, Field key) {
        String name = key.word(CHAIN, "chain name");
        if (name.startsWith("-")) {
            throw key.error("chain name '" + name + "' must not start with '-'");
        }
        if (RESERVED_CHAINS.contains(name)) {
            throw key.error("chain name '" + name + "' is a verdict, not a chain");
        }
        if (!Table.builtins(table).contains(name)) {
            List<String> elsewhere = TABLES.stream().filter(t -> Table.builtins(t).contains(name)).toList();
            if (!elsewhere.isEmpty()) {
                throw key.error(name + " is a built-in chain of " + String.join(", ", elsewhere)
                        + ", not of " + table + "; " + table + " has " + String.join(", ", Table.builtins(table)));
            }
        }
    }

    private static List<RawRule> rules(Field chain) {
        List<RawRule> rules = new ArrayList<>();
        for (Field item : chain.list()) {
            // an empty rule is legal: it matches everything and only counts packets
            String args = item.plainText("rule");
            rules.add(new RawRule(args, item.origin()));
        }
        return List.copyOf(rules);
    }

    private static Map<String, Sysctl> sysctl(Field field) {
        Map<String, Sysctl> out = new LinkedHashMap<>();
        for (Entries.Entry e : field.mapping()) {
            String key = e.keyField().word(SYSCTL_KEY, "sysctl key");
            if (key.indexOf('.') < 0) {
                throw e.keyField().error("sysctl key '" + key + "' has no dot; write it like net.ipv4.ip_forward");
            }
            String value = e.value().word(SYSCTL_VALUE, "sysctl value");
            out.put(key, new Sysctl(key, value, e.keyField().origin()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Persist persist(Field field) {
        Entries p = field.mapping().allowOnly(PERSIST_KEYS);
        return new Persist(path(p.get("rules_v4")), path(p.get("rules_v6")), path(p.get("sysctl")));
    }

    private static String path(Field field) {
        if (field == null) {
            return null;
        }
        String path = field.plainText("path");
        if (!path.startsWith("/")) {
            throw field.error("path '" + path + "' must be absolute");
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                throw field.error("path '" + path + "' must not contain '..'");
            }
        }
        return path;
    }

    private static Guards guards(Field field) {
        Entries g = field.mapping().allowOnly(GUARD_KEYS);
        Ssh ssh = g.get("ssh") == null ? new Ssh(DEFAULT_SSH_PORTS, List.of()) : ssh(g.get("ssh"));
        List<Expectation> expect = new ArrayList<>();
        if (g.get("expect") != null) {
            for (Field item : g.get("expect").list()) {
                expect.add(expectation(item));
            }
        }
        return new Guards(ssh, List.copyOf(expect));
    }

    private static Ssh ssh(Field field) {
        Entries s = field.mapping().allowOnly(SSH_KEYS);
        List<Integer> ports = DEFAULT_SSH_PORTS;
        if (s.get("ports") != null) {
            List<Integer> listed = new ArrayList<>();
            for (Field item : s.get("ports").list()) {
                int port = port(item);
                if (listed.contains(port)) {
                    throw item.error("port " + port + " is listed twice");
                }
                listed.add(port);
            }
            ports = List.copyOf(listed);
        }
        List<String> from = new ArrayList<>();
        if (s.get("from") != null) {
            for (Field item : s.get("from").list()) {
                String text = item.text();
                try {
                    Cidr.parse(text);
                } catch (IllegalArgumentException e) {
                    throw item.error(e.getMessage());
                }
                from.add(text);
            }
        }
        return new Ssh(ports, List.copyOf(from));
    }

    private static Expectation expectation(Field item) {
        Entries verdict = item.mapping().allowOnly(VERDICTS);
        if (verdict.size() != 1) {
            throw item.error("an expectation has exactly one of allow or deny");
        }
        Entries.Entry only = verdict.iterator().next();
        boolean allow = only.key().equals("allow");
        Entries x = only.value().mapping().allowOnly(EXPECT_KEYS);
        Family family = Family.ofKey(oneOf(x.required("family"), List.of("ipv4", "ipv6"), "family"));
        String chain = oneOf(x.required("chain"), EXPECT_CHAINS, "chain");
        String in = iface(x.get("in"));
        String out = iface(x.get("out"));
        if (in != null && chain.equals("OUTPUT")) {
            throw x.get("in").error("an OUTPUT packet has no input interface");
        }
        if (out != null && chain.equals("INPUT")) {
            throw x.get("out").error("an INPUT packet has no output interface");
        }
        String proto = x.get("proto") == null ? null : oneOf(x.get("proto"), PROTOS, "proto");
        if (proto != null && (proto.equals("icmp") && family == Family.IPV6
                || proto.equals("ipv6-icmp") && family == Family.IPV4)) {
            throw x.get("proto").error("proto " + proto + " does not exist in " + family.key());
        }
        String src = address(x.get("src"), family);
        String dst = address(x.get("dst"), family);
        Integer sport = portOf(x.get("sport"), proto);
        Integer dport = portOf(x.get("dport"), proto);
        String state = x.get("state") == null ? "NEW" : oneOf(x.get("state"), STATES, "state");
        return new Expectation(allow, family, chain, in, out, proto, src, dst, sport, dport, state, item.origin());
    }

    private static String iface(Field field) {
        return field == null ? null : field.word(IFACE, "interface name");
    }

    private static String address(Field field, Family family) {
        if (field == null) {
            return null;
        }
        String text = field.text();
        InetAddress a;
        try {
            a = Cidr.address(text);
        } catch (IllegalArgumentException e) {
            throw field.error(e.getMessage());
        }
        if (Cidr.familyOf(a) != family) {
            throw field.error("'" + text + "' is not an " + family.key() + " address");
        }
        return text;
    }

    private static Integer portOf(Field field, String proto) {
        if (field == null) {
            return null;
        }
        if (!"tcp".equals(proto) && !"udp".equals(proto)) {
            throw field.error("a port needs proto tcp or udp");
        }
        return port(field);
    }

    private static int port(Field field) {
        int port = field.integer();
        if (port < 1 || port > 65535) {
            throw field.error("port " + port + " is out of range 1..65535");
        }
        return port;
    }

    private static String oneOf(Field field, List<String> allowed, String what) {
        String v = field.text();
        if (!allowed.contains(v)) {
            throw field.error(what + " must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
        }
        return v;
    }
}
