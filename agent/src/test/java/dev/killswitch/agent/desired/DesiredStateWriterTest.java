package dev.killswitch.agent.desired;

import static dev.killswitch.agent.desired.Examples.HEADER;
import static dev.killswitch.agent.desired.Examples.withoutOrigins;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.killswitch.agent.desired.DesiredState.Guards;
import dev.killswitch.agent.desired.DesiredState.Persist;
import dev.killswitch.agent.desired.DesiredState.Ssh;
import dev.killswitch.agent.desired.DesiredState.TableSpec;
import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawRule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredStateWriterTest {
    /** Rule strings that YAML would misread if written plain. */
    private static final List<String> AWKWARD = List.of(
            "-m comment --comment \"a \\\"quoted\\\" b\" -j ACCEPT",
            "! -s 10.0.0.0/8 -j DROP",
            "-s 10.0.0.0/8 ! -d 10.1.0.0/16 -j DROP",
            "-m comment --comment 'single' -j ACCEPT",
            "-m comment --comment \"# not a comment\" -j ACCEPT",
            "-p tcp -m comment --comment key: -j ACCEPT",
            "-m comment --comment \"a: b\" -j ACCEPT",
            "- leading dash and space",
            "-j ACCEPT",
            "--dport 22",
            "-m set --match-set a,b src -j DROP",
            "-m comment --comment {braces} -j ACCEPT",
            "-m comment --comment [brackets] -j ACCEPT",
            "& * ? | > % @ ` leading indicators",
            "'starts with a single quote'",
            "\"starts with a double quote\"",
            "yes", "null", "~", "true", "22", "0x16", "1e3", "2024-01-01",
            "trailing backslash \\",
            "tab\tinside",
            "-m comment --comment caf\u00e9 -j ACCEPT");

    private static DesiredState roundTrip(DesiredState s) {
        return DesiredStateReader.read("written.yaml", DesiredStateWriter.write(s));
    }

    @Test
    void theExampleReadsBackEqual() {
        DesiredState s = DesiredStateReader.read("gw1.yaml", Examples.example());
        assertEquals(withoutOrigins(s), withoutOrigins(roundTrip(s)));
    }

    @Test
    void writesTheContractLayout() {
        String yaml = DesiredStateWriter.write(DesiredStateReader.read("gw1.yaml", Examples.example()));
        assertEquals("""
                apiVersion: killswitch/v1
                kind: DesiredState
                host: gw1
                ipv4:
                  filter:
                    policies:
                      INPUT: DROP
                      FORWARD: DROP
                      OUTPUT: DROP
                    chains:
                      INPUT:
                        - "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
                        - -i lo -j ACCEPT
                        - -p tcp --dport 22 -j ACCEPT
                      OUTPUT:
                        - -o wg0 -j ACCEPT
                    ignore:
                      - DOCKER*
                      - f2b-*
                ipv6:
                  filter:
                    policies:
                      INPUT: DROP
                      FORWARD: DROP
                      OUTPUT: DROP
                    chains: {}
                sysctl:
                  net.ipv6.conf.all.disable_ipv6: "1"
                persist:
                  rules_v4: /etc/iptables/rules.v4
                  rules_v6: /etc/iptables/rules.v6
                  sysctl: /etc/sysctl.d/99-killswitch.conf
                guards:
                  ssh:
                    ports:
                      - 22
                    from:
                      - 203.0.113.0/24
                  expect:
                    - deny:
                        family: ipv4
                        chain: OUTPUT
                        out: eth0
                        proto: udp
                        dst: 192.0.2.53
                        dport: 53
                    - allow:
                        family: ipv4
                        chain: OUTPUT
                        out: eth0
                        proto: udp
                        dst: 198.51.100.7
                        dport: 51820
                """, yaml);
    }

    @Test
    void awkwardRuleStringsRoundTripExactly() {
        Origin o = Origin.unknown();
        List<RawRule> rules = AWKWARD.stream().map(r -> new RawRule(r, o)).toList();
        DesiredState s = new DesiredState("", "gw1",
                Map.of(Family.IPV4, Map.of("filter", new TableSpec("filter", Map.of(), Map.of("INPUT", rules),
                        List.of(), o))),
                Map.of(), null, new Guards(new Ssh(List.of(22), List.of()), List.of()));
        DesiredState back = roundTrip(s);
        List<String> read = back.families().get(Family.IPV4).get("filter").chains().get("INPUT").stream()
                .map(RawRule::args).toList();
        assertEquals(AWKWARD, read);
    }

    @Test
    void numericLookingSysctlValuesAndNamesStayStrings() {
        DesiredState s = DesiredStateReader.read("gw1.yaml", HEADER.replace("gw1", "\"1234\"") + """
                sysctl: {net.core.rmem_max: 16777216, net.ipv4.tcp_rmem: 4096 87380 6291456, net.x.y: "-1",
                         net.x.z: 0.5}
                persist: {rules_v4: /etc/iptables/rules.v4}
                guards: {ssh: {ports: [22, 2222], from: ["2001:db8::/32", 192.0.2.1]}}
                """);
        assertEquals(withoutOrigins(s), withoutOrigins(roundTrip(s)));
        assertEquals(new Persist("/etc/iptables/rules.v4", null, null), roundTrip(s).persist());
    }

    @Test
    void everyExpectationFieldRoundTrips() {
        DesiredState s = DesiredStateReader.read("gw1.yaml", HEADER + """
                guards:
                  expect:
                    - allow: {family: ipv6, chain: FORWARD, in: wg0, out: eth0.100, proto: tcp,
                              src: "2001:db8::1", dst: "::1", sport: 1024, dport: 443, state: ESTABLISHED}
                    - deny: {family: ipv4, chain: INPUT, in: "eth0:1", proto: icmp, state: INVALID}
                """);
        assertEquals(withoutOrigins(s), withoutOrigins(roundTrip(s)));
    }
}
