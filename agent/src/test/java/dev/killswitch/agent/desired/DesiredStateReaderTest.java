package dev.killswitch.agent.desired;

import static dev.killswitch.agent.desired.Examples.HEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DesiredStateReaderTest {
    private static final String F = "gw1.yaml";

    private static Origin at(int line, String field) {
        return new Origin(F, line, field);
    }

    @Test
    void readsTheExampleIntoRecordsWithLinesAndFieldPaths() {
        DesiredState s = DesiredStateReader.read(F, Examples.example());

        Map<String, String> dropAll = Map.of("INPUT", "DROP", "FORWARD", "DROP", "OUTPUT", "DROP");
        TableSpec v4 = new TableSpec("filter", dropAll, Map.of(
                "INPUT", List.of(
                        new RawRule("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                                at(9, "ipv4.filter.chains.INPUT[0]")),
                        new RawRule("-i lo -j ACCEPT", at(10, "ipv4.filter.chains.INPUT[1]")),
                        new RawRule("-p tcp --dport 22 -j ACCEPT", at(11, "ipv4.filter.chains.INPUT[2]"))),
                "OUTPUT", List.of(new RawRule("-o wg0 -j ACCEPT", at(13, "ipv4.filter.chains.OUTPUT[0]")))),
                List.of("DOCKER*", "f2b-*"), at(5, "ipv4.filter"));
        TableSpec v6 = new TableSpec("filter", dropAll, Map.of(), List.of(), at(16, "ipv6.filter"));
        DesiredState expected = new DesiredState(F, "gw1",
                Map.of(Family.IPV4, Map.of("filter", v4), Family.IPV6, Map.of("filter", v6)),
                Map.of("net.ipv6.conf.all.disable_ipv6", new Sysctl("net.ipv6.conf.all.disable_ipv6", "1",
                        at(17, "sysctl.net.ipv6.conf.all.disable_ipv6"))),
                new Persist("/etc/iptables/rules.v4", "/etc/iptables/rules.v6", "/etc/sysctl.d/99-killswitch.conf"),
                new Guards(new Ssh(List.of(22), List.of("203.0.113.0/24")), List.of(
                        new Expectation(false, Family.IPV4, "OUTPUT", null, "eth0", "udp", null, "192.0.2.53",
                                null, 53, "NEW", at(23, "guards.expect[0]")),
                        new Expectation(true, Family.IPV4, "OUTPUT", null, "eth0", "udp", null, "198.51.100.7",
                                null, 51820, "NEW", at(24, "guards.expect[1]")))));

        assertEquals(expected, s);
    }

    @Test
    void keepsFileOrderOfFamiliesTablesChainsAndSysctls() {
        DesiredState s = DesiredStateReader.read(F, HEADER + """
                ipv6:
                  raw: {chains: {OUTPUT: []}}
                  filter:
                    chains: {zeta: [], INPUT: [], alpha: []}
                ipv4: {}
                sysctl: {net.b.x: 1, net.a.x: 0.5}
                """);
        assertEquals(List.of(Family.IPV6, Family.IPV4), List.copyOf(s.families().keySet()));
        assertEquals(List.of("raw", "filter"), List.copyOf(s.families().get(Family.IPV6).keySet()));
        assertEquals(List.of("zeta", "INPUT", "alpha"),
                List.copyOf(s.families().get(Family.IPV6).get("filter").chains().keySet()));
        assertEquals(List.of("net.b.x", "net.a.x"), List.copyOf(s.sysctl().keySet()));
        assertEquals("0.5", s.sysctl().get("net.a.x").value(), "numbers are kept as written");
    }

    @Test
    void aFamilyThatIsNotWrittenIsAbsentSoNotTouched() {
        DesiredState s = DesiredStateReader.read(F, HEADER + "ipv4: {filter: {chains: {}}}\n");
        assertTrue(s.families().containsKey(Family.IPV4));
        assertFalse(s.families().containsKey(Family.IPV6));
        assertEquals(Map.of(), s.sysctl());
        assertEquals(null, s.persist());
    }

    @Test
    void guardsDefaultToSshOnPort22() {
        Ssh port22 = new Ssh(List.of(22), List.of());
        assertEquals(new Guards(port22, List.of()), DesiredStateReader.read(F, HEADER).guards());
        assertEquals(port22, DesiredStateReader.read(F, HEADER + "guards: {expect: []}\n").guards().ssh());
        assertEquals(port22, DesiredStateReader.read(F, HEADER + "guards: {ssh: {from: []}}\n").guards().ssh());
    }

    @Test
    void anExpectationWithoutStateTestsANewConnectionAndKeepsEveryField() {
        DesiredState s = DesiredStateReader.read(F, HEADER + """
                guards:
                  expect:
                    - allow: {family: ipv6, chain: FORWARD, in: wg0, out: eth0.100, proto: tcp,
                              src: "2001:db8::1", dst: "2001:db8::2", sport: 1024, dport: 443, state: ESTABLISHED}
                    - deny: {family: ipv6, chain: INPUT, proto: ipv6-icmp}
                """);
        assertEquals(new Expectation(true, Family.IPV6, "FORWARD", "wg0", "eth0.100", "tcp", "2001:db8::1",
                "2001:db8::2", 1024, 443, "ESTABLISHED", at(6, "guards.expect[0]")), s.guards().expect().get(0));
        assertEquals("NEW", s.guards().expect().get(1).state());
    }

    @Test
    void readsFromAPathNamingItInOrigins(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("gw1.yaml");
        Files.writeString(file, Examples.example());
        DesiredState s = DesiredStateReader.read(file);
        assertEquals(file.toString(), s.file());
        assertEquals(file.toString(), s.families().get(Family.IPV4).get("filter").origin().file());
    }

    @Test
    void aMissingFileIsAnInputErrorNamingIt(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(file));
        assertEquals(file.toString(), e.origin().file());
    }

    @Test
    void refusesBytesThatAreNotUtf8WithTheirLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, (HEADER + "# caf\u00e9\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(file));
        assertEquals(4, e.origin().line());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void refusesFilesOver8MiBBeforeParsing(@TempDir Path dir) throws IOException {
        String big = HEADER + "#" + "x".repeat(DesiredStateReader.MAX_BYTES) + "\n";
        Path file = dir.resolve("big.yaml");
        Files.writeString(file, big);
        InputError fromFile = assertThrows(InputError.class, () -> DesiredStateReader.read(file));
        assertTrue(fromFile.getMessage().contains("larger than 8 MiB"), fromFile.getMessage());
        InputError fromText = assertThrows(InputError.class, () -> DesiredStateReader.read(F, big));
        assertTrue(fromText.getMessage().contains("larger than 8 MiB"), fromText.getMessage());
    }

    @Test
    void refusesTextOver8MiBCountedInUtf8Bytes() {
        String big = HEADER + "#" + "\u00e9".repeat(DesiredStateReader.MAX_BYTES / 2) + "\n";
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(F, big));
        assertTrue(e.getMessage().contains("larger than 8 MiB"), e.getMessage());
    }

    @Test
    void readsAOneMegabyteDocumentWith20kRules() {
        StringBuilder doc = new StringBuilder(HEADER).append("ipv4:\n  filter:\n    chains:\n");
        int rules = 0;
        for (int c = 0; c < 20; c++) {
            doc.append("      chain").append(c).append(":\n");
            for (int r = 0; r < 1000; r++, rules++) {
                doc.append("        - -s 10.").append(c).append('.').append(r / 256).append('.').append(r % 256)
                        .append("/32 -p tcp -m tcp --dport ").append(1000 + r).append(" -j ACCEPT\n");
            }
        }
        assertTrue(doc.length() > 1_000_000, "document is " + doc.length() + " bytes");
        long start = System.nanoTime();
        DesiredState s = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> DesiredStateReader.read(F, doc.toString()));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("read " + doc.length() + " bytes, " + rules + " rules in " + millis + " ms");
        List<RawRule> last = s.families().get(Family.IPV4).get("filter").chains().get("chain19");
        assertEquals(1000, last.size());
        assertEquals(new Origin(F, 3 + 3 + 20 * 1001, "ipv4.filter.chains.chain19[999]"), last.get(999).origin());
    }

    @Test
    void refusesABillionLaughsDocumentQuickly() {
        StringBuilder doc = new StringBuilder(HEADER).append("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++) {
            List<String> refs = new ArrayList<>();
            for (int j = 0; j < 9; j++) {
                refs.add("*l" + (i - 1));
            }
            doc.append("lol").append(i).append(": &l").append(i).append(" [").append(String.join(", ", refs)).append("]\n");
        }
        InputError e = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(InputError.class, () -> DesiredStateReader.read(F, doc.toString())));
        assertEquals(4, e.origin().line());
        assertTrue(e.getMessage().contains("anchors (&l0) are not supported"), e.getMessage());
    }

    @Test
    void refusesAnAliasEvenOfAScalar() {
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(F,
                "apiVersion: killswitch/v1\nkind: DesiredState\nhost: *h\n"));
        assertEquals(3, e.origin().line());
        assertTrue(e.getMessage().contains("aliases (*h) are not supported"), e.getMessage());
    }

    @Test
    void refusesDeepNestingWithItsLine() {
        String doc = HEADER + "ipv4:\n  filter: " + "[".repeat(100) + "]".repeat(100) + "\n";
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(F, doc));
        assertEquals(5, e.origin().line());
        assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
    }

    @Test
    void refusesAnUnquotedNegationBecauseYamlReadsItAsATag() {
        InputError e = assertThrows(InputError.class, () -> DesiredStateReader.read(F, HEADER + """
                ipv4:
                  filter:
                    chains:
                      INPUT:
                        - -p tcp -j ACCEPT
                        - ! -s 10.0.0.0/8 -j DROP
                """));
        assertEquals(9, e.origin().line());
        assertTrue(e.getMessage().contains("quote a value that starts with '!'"), e.getMessage());
    }

    @Test
    void readsAQuotedNegationExactly() {
        DesiredState s = DesiredStateReader.read(F, HEADER + "ipv4: {filter: {chains: {INPUT: ['! -s 10.0.0.0/8 -j DROP']}}}\n");
        assertEquals("! -s 10.0.0.0/8 -j DROP",
                s.families().get(Family.IPV4).get("filter").chains().get("INPUT").get(0).args());
    }
}
