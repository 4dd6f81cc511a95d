package dev.killswitch.agent.desired;

import static dev.killswitch.agent.desired.Examples.HEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a desired state can be wrong, each with the line and field path the error must name. */
class DesiredStateValidationTest {

    private static Arguments refuses(String behaviour, String doc, int line, String field, String message) {
        return Arguments.of(behaviour, doc, line, field, message);
    }

    /** A document with one table; {@code body} is indented under {@code ipv4.filter} and starts on line 6. */
    private static String filter(String body) {
        return HEADER + "ipv4:\n  filter:\n" + body.indent(4);
    }

    /** One expectation on line 6 with the given keys. */
    private static String expect(String body) {
        return HEADER + "guards:\n  expect:\n    - " + body + "\n";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // the document itself
                refuses("malformed YAML names the parser's line", HEADER + "ipv4: {filter: [}\nsysctl: {}\n",
                        4, "", "malformed YAML: while parsing a flow node, expected the node content, but found '}'"),
                refuses("a tab used for indentation", HEADER + "ipv4:\n\tfilter: {}\n", 5, "", "Do not use \\t(TAB)"),
                refuses("an unterminated quote", HEADER + "sysctl: {net.a.b: \"1}\n", 5, "", "unexpected end of stream"),
                refuses("a mis-indented key is malformed YAML", HEADER + "ipv4:\n  filter: {}\n bad: 1\n",
                        6, "", "while parsing a block mapping, expected <block end>"),
                refuses("two documents in one file", HEADER + "---\n" + HEADER, 4, "",
                        "expected a single document in the stream, but found another document"),
                refuses("a list at the top level", "- a\n- b\n", 1, "", "expected a mapping, got a list"),
                refuses("a string at the top level", "killswitch\n", 1, "", "expected a mapping"),
                refuses("an empty document", "", 1, "", "empty document"),
                refuses("a document of comments only", "# nothing here\n\n", 1, "", "empty document"),
                refuses("a control character in the file", HEADER + "# \u0007\n", 4, "", "U+0007"),
                // version and kind
                refuses("apiVersion is required", "kind: DesiredState\nhost: gw1\n", 1, "apiVersion",
                        "required key 'apiVersion' is missing"),
                refuses("an unknown apiVersion", "apiVersion: killswitch/v2\nkind: DesiredState\n", 1, "apiVersion",
                        "unsupported apiVersion 'killswitch/v2'"),
                refuses("apiVersion is a string", "apiVersion: [killswitch/v1]\n", 1, "apiVersion",
                        "expected a string, got a list"),
                refuses("kind is required", "apiVersion: killswitch/v1\nhost: gw1\n", 1, "kind",
                        "required key 'kind' is missing"),
                refuses("kind must be DesiredState", "apiVersion: killswitch/v1\nkind: Playbook\n", 2, "kind",
                        "kind must be DesiredState, got 'Playbook'"),
                // host
                refuses("host is required", "apiVersion: killswitch/v1\nkind: DesiredState\n", 1, "host",
                        "required key 'host' is missing"),
                refuses("a shell metacharacter in host", "apiVersion: killswitch/v1\nkind: DesiredState\nhost: gw`id`\n",
                        3, "host", "shell metacharacter '`'"),
                refuses("a space in host", "apiVersion: killswitch/v1\nkind: DesiredState\nhost: gw 1\n",
                        3, "host", "must match"),
                // keys
                refuses("an unknown top-level key names the allowed ones", HEADER + "ipv5: {}\n", 4, "ipv5",
                        "unknown key 'ipv5' at the top level; allowed: apiVersion, kind, host, ipv4, ipv6"),
                refuses("a duplicate key names the first one", HEADER + "ipv4: {}\nipv4: {}\n", 5, "ipv4",
                        "duplicate key 'ipv4' (first at line 4)"),
                refuses("an unknown table", HEADER + "ipv4:\n  filtr: {}\n", 5, "ipv4.filtr",
                        "allowed: filter, nat, mangle, raw, security"),
                refuses("an unknown key in a table", filter("polices: {INPUT: DROP}"), 6, "ipv4.filter.polices",
                        "unknown key 'polices' in ipv4.filter; allowed: policies, chains, ignore"),
                refuses("a family that is not a mapping", HEADER + "ipv6: [filter]\n", 4, "ipv6",
                        "expected a mapping, got a list"),
                refuses("a list as a key", HEADER + "? [a, b]\n: 1\n", 4, "", "a key must be plain text"),
                // policies
                refuses("a policy on a chain that is not built into the table", filter("policies: {PREROUTING: DROP}"),
                        6, "ipv4.filter.policies.PREROUTING", "filter has INPUT, FORWARD, OUTPUT"),
                refuses("a policy on a user chain", filter("policies: {mine: DROP}"), 6, "ipv4.filter.policies.mine",
                        "only built-in chains have a policy"),
                refuses("a policy other than ACCEPT or DROP", filter("policies:\n  INPUT: DROP\n  OUTPUT: REJECT"),
                        8, "ipv4.filter.policies.OUTPUT", "policy must be one of ACCEPT, DROP, got 'REJECT'"),
                refuses("policies as a list", filter("policies: [DROP]"), 6, "ipv4.filter.policies",
                        "expected a mapping, got a list"),
                // chains and rules
                refuses("a string where the rule list is needed", filter("chains:\n  INPUT: -p tcp -j ACCEPT"),
                        7, "ipv4.filter.chains.INPUT", "expected a list, got the string '-p tcp -j ACCEPT'"),
                refuses("a mapping as a rule", filter("chains:\n  INPUT:\n    - -i lo -j ACCEPT\n    - {p: tcp}"),
                        9, "ipv4.filter.chains.INPUT[1]", "expected a string, got a mapping"),
                refuses("a null rule", filter("chains:\n  INPUT:\n    -\n"), 8, "ipv4.filter.chains.INPUT[0]",
                        "expected a string, got nothing"),
                refuses("a newline inside a rule", filter("chains:\n  INPUT:\n    - -i lo -j ACCEPT\n    - \"-p tcp\\n-j DROP\""),
                        9, "ipv4.filter.chains.INPUT[1]", "control character U+000A"),
                refuses("a multi-line block rule", filter("chains:\n  INPUT:\n    - |\n      -p tcp\n      -j DROP"),
                        8, "ipv4.filter.chains.INPUT[0]", "control character U+000A"),
                refuses("a NUL inside a rule", filter("chains:\n  INPUT: [\"-j \\0DROP\"]"),
                        7, "ipv4.filter.chains.INPUT[0]", "control character U+0000"),
                refuses("a chain name with a space", filter("chains:\n  \"my chain\": []"), 7,
                        "ipv4.filter.chains.my chain", "must match [A-Za-z0-9_.~+:@%-]{1,28}"),
                refuses("a chain name over 28 characters", filter("chains:\n  " + "c".repeat(29) + ": []"), 7,
                        "ipv4.filter.chains." + "c".repeat(29), "must match"),
                refuses("a shell metacharacter in a chain name", filter("chains:\n  a$b: []"), 7,
                        "ipv4.filter.chains.a$b", "shell metacharacter '$'"),
                refuses("a chain name starting with a dash", filter("chains:\n  -x: []"), 7, "ipv4.filter.chains.-x",
                        "must not start with '-'"),
                refuses("a chain named like a verdict", filter("chains:\n  RETURN: []"), 7,
                        "ipv4.filter.chains.RETURN", "is a verdict"),
                refuses("a built-in chain of another table", filter("chains:\n  PREROUTING: []"), 7,
                        "ipv4.filter.chains.PREROUTING", "built-in chain of nat, mangle, raw, not of filter"),
                refuses("INPUT in the raw table", HEADER + "ipv4:\n  raw:\n    chains: {INPUT: []}\n", 6,
                        "ipv4.raw.chains.INPUT", "not of raw"),
                // ignore
                refuses("ignore as a string", filter("ignore: DOCKER*"), 6, "ipv4.filter.ignore",
                        "expected a list"),
                refuses("an ignore pattern that is not a glob", filter("ignore: [DOCKER, \"f2b/[a-z]\"]"), 6,
                        "ipv4.filter.ignore[1]", "must match [A-Za-z0-9_.*?-]+"),
                refuses("a shell metacharacter in an ignore pattern", filter("ignore:\n  - \"x;rm\""), 7,
                        "ipv4.filter.ignore[0]", "shell metacharacter ';'"),
                refuses("an ignore pattern that matches a declared chain",
                        filter("chains:\n  DOCKER-USER: []\nignore:\n  - f2b-*\n  - DOCKER*"), 10,
                        "ipv4.filter.ignore[1]", "matches the owned chain DOCKER-USER"),
                refuses("an ignore pattern that matches a chain given a policy",
                        filter("policies: {INPUT: DROP}\nignore: [\"IN?UT\"]"), 7, "ipv4.filter.ignore[0]",
                        "matches the owned chain INPUT"),
                // sysctl
                refuses("a sysctl key without a dot", HEADER + "sysctl:\n  forwarding: 1\n", 5, "sysctl.forwarding",
                        "has no dot"),
                refuses("an upper-case sysctl key", HEADER + "sysctl:\n  net.ipv4.Conf: 1\n", 5, "sysctl.net.ipv4.Conf",
                        "must match [a-z0-9_.-]+"),
                refuses("a shell metacharacter in a sysctl value", HEADER + "sysctl:\n  net.ipv4.ip_forward: \"1; reboot\"\n",
                        5, "sysctl.net.ipv4.ip_forward", "shell metacharacter ';'"),
                refuses("a sysctl value with other punctuation", HEADER + "sysctl:\n  net.core.x: \"a,b\"\n",
                        5, "sysctl.net.core.x", "must match [A-Za-z0-9 ._-]+"),
                refuses("a boolean sysctl value", HEADER + "sysctl:\n  net.ipv4.ip_forward: yes\n", 5,
                        "sysctl.net.ipv4.ip_forward", "the boolean yes (quote it"),
                refuses("a list as a sysctl value", HEADER + "sysctl:\n  net.ipv4.ip_forward: [1]\n", 5,
                        "sysctl.net.ipv4.ip_forward", "expected a string, got a list"),
                // persist
                refuses("a relative persist path", HEADER + "persist:\n  rules_v4: etc/iptables/rules.v4\n", 5,
                        "persist.rules_v4", "must be absolute"),
                refuses("a persist path with ..", HEADER + "persist:\n  rules_v6: /etc/iptables/../shadow\n", 5,
                        "persist.rules_v6", "must not contain '..'"),
                refuses("a control character in a persist path", HEADER + "persist: {sysctl: \"/etc/x\\a\"}\n", 4,
                        "persist.sysctl", "control character U+0007"),
                refuses("an unknown persist key", HEADER + "persist:\n  rules_v4: /a\n  rules: /b\n", 6, "persist.rules",
                        "allowed: rules_v4, rules_v6, sysctl"),
                // ssh guard
                refuses("an ssh port out of range", HEADER + "guards:\n  ssh: {ports: [22, 70000]}\n", 5,
                        "guards.ssh.ports[1]", "port 70000 is out of range 1..65535"),
                refuses("ssh port zero", HEADER + "guards:\n  ssh:\n    ports:\n      - 0\n", 7, "guards.ssh.ports[0]",
                        "out of range"),
                refuses("a quoted ssh port", HEADER + "guards:\n  ssh: {ports: [\"22\"]}\n", 5, "guards.ssh.ports[0]",
                        "expected an integer, got the string '22'"),
                refuses("a port written in hex", HEADER + "guards:\n  ssh: {ports: [0x16]}\n", 5, "guards.ssh.ports[0]",
                        "expected a decimal integer"),
                refuses("ports as a single number", HEADER + "guards:\n  ssh: {ports: 22}\n", 5, "guards.ssh.ports",
                        "expected a list, got the number 22"),
                refuses("a port listed twice", HEADER + "guards:\n  ssh: {ports: [22, 22]}\n", 5, "guards.ssh.ports[1]",
                        "listed twice"),
                refuses("an ssh source with a bad prefix", HEADER + "guards:\n  ssh: {from: [\"203.0.113.0/33\"]}\n", 5,
                        "guards.ssh.from[0]", "prefix length must be 0..32"),
                refuses("an ssh source that is a host name", HEADER + "guards:\n  ssh:\n    from:\n      - 10.0.0.0/8\n      - bastion.example.com\n",
                        8, "guards.ssh.from[1]", "not a numeric IPv4 or IPv6 address"),
                refuses("an unknown ssh key", HEADER + "guards:\n  ssh: {port: 22}\n", 5, "guards.ssh.port",
                        "allowed: ports, from"),
                // expectations
                refuses("an expectation with both allow and deny",
                        expect("{allow: {family: ipv4, chain: INPUT}, deny: {family: ipv4, chain: INPUT}}"), 6,
                        "guards.expect[0]", "exactly one of allow or deny"),
                refuses("an expectation with neither allow nor deny", expect("{reject: {family: ipv4, chain: INPUT}}"), 6,
                        "guards.expect[0].reject", "allowed: allow, deny"),
                refuses("an expectation without family", expect("deny: {chain: OUTPUT}"), 6, "guards.expect[0].deny.family",
                        "required key 'family' is missing in guards.expect[0].deny"),
                refuses("an expectation without chain", expect("deny: {family: ipv4}"), 6, "guards.expect[0].deny.chain",
                        "required key 'chain' is missing"),
                refuses("an unknown family", expect("deny: {family: ipx, chain: OUTPUT}"), 6,
                        "guards.expect[0].deny.family", "family must be one of ipv4, ipv6, got 'ipx'"),
                refuses("an expectation in a nat chain", expect("deny: {family: ipv4, chain: POSTROUTING}"), 6,
                        "guards.expect[0].deny.chain", "chain must be one of INPUT, OUTPUT, FORWARD"),
                refuses("an unknown expectation key", HEADER + "guards:\n  expect:\n    - deny:\n        family: ipv4\n        chain: OUTPUT\n        port: 53\n",
                        9, "guards.expect[0].deny.port", "allowed: family, chain, in, out, proto, src, dst, sport, dport, state"),
                refuses("a dport out of range", expect("deny: {family: ipv4, chain: OUTPUT, proto: udp, dport: 65536}"), 6,
                        "guards.expect[0].deny.dport", "out of range 1..65535"),
                refuses("a dport without tcp or udp", expect("deny: {family: ipv4, chain: OUTPUT, proto: icmp, dport: 53}"), 6,
                        "guards.expect[0].deny.dport", "a port needs proto tcp or udp"),
                refuses("a sport without any proto", expect("allow: {family: ipv4, chain: INPUT, sport: 53}"), 6,
                        "guards.expect[0].allow.sport", "a port needs proto tcp or udp"),
                refuses("an unknown proto", expect("deny: {family: ipv4, chain: OUTPUT, proto: tpc}"), 6,
                        "guards.expect[0].deny.proto", "proto must be one of tcp, udp"),
                refuses("icmp in ipv6", expect("deny: {family: ipv6, chain: OUTPUT, proto: icmp}"), 6,
                        "guards.expect[0].deny.proto", "does not exist in ipv6"),
                refuses("an ipv6 destination in an ipv4 expectation",
                        expect("deny: {family: ipv4, chain: OUTPUT, dst: \"2001:db8::1\"}"), 6, "guards.expect[0].deny.dst",
                        "is not an ipv4 address"),
                refuses("a network where one address is needed",
                        expect("deny: {family: ipv4, chain: OUTPUT, src: 10.0.0.0/8}"), 6, "guards.expect[0].deny.src",
                        "not a numeric IPv4 or IPv6 address"),
                refuses("an interface name over 15 characters",
                        expect("deny: {family: ipv4, chain: OUTPUT, out: averylonginterface}"), 6,
                        "guards.expect[0].deny.out", "must match [A-Za-z0-9_.:-]{1,15}"),
                refuses("a shell metacharacter in an interface name",
                        expect("deny: {family: ipv4, chain: OUTPUT, out: \"eth0|x\"}"), 6, "guards.expect[0].deny.out",
                        "shell metacharacter '|'"),
                refuses("an output interface on INPUT", expect("deny: {family: ipv4, chain: INPUT, out: eth0}"), 6,
                        "guards.expect[0].deny.out", "an INPUT packet has no output interface"),
                refuses("an input interface on OUTPUT", expect("deny: {family: ipv4, chain: OUTPUT, in: eth0}"), 6,
                        "guards.expect[0].deny.in", "an OUTPUT packet has no input interface"),
                refuses("an unknown conntrack state", expect("allow: {family: ipv4, chain: INPUT, state: OPEN}"), 6,
                        "guards.expect[0].allow.state", "state must be one of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED"),
                refuses("expect as a mapping", HEADER + "guards:\n  expect: {deny: {}}\n", 5, "guards.expect",
                        "expected a list, got a mapping"),
                // YAML features a desired state never needs
                refuses("an anchor", HEADER + "sysctl: &s {net.ipv4.ip_forward: 1}\n", 4, "", "anchors (&s)"),
                refuses("an explicit tag", HEADER + "sysctl: {net.ipv4.ip_forward: !!str 1}\n", 4, "", "YAML tags (!!str)"));
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("cases")
    void refusesWithFileLineAndField(String behaviour, String doc, int line, String field, String message) {
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read("gw1.yaml", doc));
        assertEquals("gw1.yaml", e.origin().file(), e.getMessage());
        assertEquals(line, e.origin().line(), e.getMessage());
        assertEquals(field, e.origin().field(), e.getMessage());
        assertTrue(e.getMessage().contains(message), "'" + e.getMessage() + "' should contain '" + message + "'");
    }
}
