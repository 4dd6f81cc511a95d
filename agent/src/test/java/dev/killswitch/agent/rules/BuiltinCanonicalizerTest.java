package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuiltinCanonicalizerTest {

    private final BuiltinCanonicalizer builtin = new BuiltinCanonicalizer();

    private List<Rule> rules(Family family, String table, String args) {
        return builtin.rules(new RawRule(args, new Origin("t", 1, table + " X")), family, table);
    }

    private Rule rule(String args) {
        List<Rule> r = rules(Family.IPV4, "filter", args);
        assertEquals(1, r.size());
        return r.get(0);
    }

    @Test
    void keepsTablesAndChainsAsGivenAndCopiesPolicies() {
        Map<String, RawChain> nat = new LinkedHashMap<>();
        nat.put("POSTROUTING", new RawChain("POSTROUTING", "ACCEPT",
                List.of(new RawRule("-o eth0 -j MASQUERADE", Origin.unknown())), Origin.unknown()));
        Map<String, RawChain> filter = new LinkedHashMap<>();
        filter.put("ks-in", new RawChain("ks-in", null, List.of(), Origin.unknown()));
        filter.put("INPUT", new RawChain("INPUT", "DROP", List.of(), Origin.unknown()));
        Map<String, RawTable> tables = new LinkedHashMap<>();
        tables.put("nat", new RawTable("nat", nat));
        tables.put("filter", new RawTable("filter", filter));
        Ruleset rs = builtin.canonicalize(new RawRuleset(Family.IPV4, tables));
        assertEquals(List.of("nat", "filter"), List.copyOf(rs.tables().keySet()));
        assertEquals(List.of("ks-in", "INPUT"), List.copyOf(rs.table("filter").chains().keySet()),
                "built-in chains left out are not added, order is kept");
        assertEquals("DROP", rs.table("filter").chain("INPUT").policy());
        assertNull(rs.table("filter").chain("ks-in").policy());
        assertEquals(List.of("POSTROUTING"), List.copyOf(rs.table("nat").chains().keySet()));
    }

    @Test
    void aRuleHasItsPartsInCanonicalForm() {
        Rule r = rule("-j ACCEPT -p tcp --dport 22 ! -s 10.0.0.0/255.0.0.0 -m comment --comment \"ssh in\"");
        assertEquals("! -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -m comment --comment \"ssh in\" -j ACCEPT", r.text());
        assertEquals(new Opt("-s", true, List.of("10.0.0.0/8")), r.coreOption("-s"));
        assertEquals("22", r.match("tcp").option("--dport").arg());
        assertEquals("\"ssh in\"", r.match("comment").option("--comment").arg());
        assertEquals(Target.jump("ACCEPT"), r.target());
        assertTrue(r.known());
    }

    @Test
    void addressListsExpandSourceMajor() {
        List<String> texts = rules(Family.IPV4, "filter", "-d 3.3.3.3,4.4.4.4 -s 1.1.1.1,2.2.2.2 -j DROP")
                .stream().map(Rule::text).toList();
        assertEquals(List.of("-s 1.1.1.1/32 -d 3.3.3.3/32 -j DROP", "-s 1.1.1.1/32 -d 4.4.4.4/32 -j DROP",
                "-s 2.2.2.2/32 -d 3.3.3.3/32 -j DROP", "-s 2.2.2.2/32 -d 4.4.4.4/32 -j DROP"), texts);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // an unknown module keeps its tokens, with ! moved in front and quoting re-applied
        "-m set --match-set blocked src ! --update-counters -j DROP|-m set --match-set blocked src ! --update-counters -j DROP",
        "-m set --match-set ! blocked src -j DROP|-m set ! --match-set blocked src -j DROP",
        "-m u32 --u32 \"0x4=0x1\" -j DROP|-m u32 --u32 \"0x4=0x1\" -j DROP",
        "-j ACCEPT --dport 22 -p tcp|-p tcp --dport 22 -j ACCEPT",
        "-j AUDIT --type drop|-j AUDIT --type drop",
        // spellings only the kernel can settle
        "-p tcp --dport 022 -j ACCEPT|-p tcp -m tcp --dport 022 -j ACCEPT",
        "-s 10.0.0.1/024 -j ACCEPT|-s 10.0.0.1/024 -j ACCEPT",
        "-m tos --tos 0x10 -j SNAT --to 1.2.3.4|-m tos --tos 0x10/0xff -j SNAT --to-source 1.2.3.4",
        "-p tcp --dport=22 -j ACCEPT|-p tcp --dport=22 -j ACCEPT",
        "-p tcp --dp 22 -j ACCEPT|-p tcp --dp 22 -j ACCEPT",
    })
    void whatItCannotVouchForIsKeptAndMarkedUnknown(String in, String out) {
        List<Rule> r = builtin.rules(new RawRule(in, Origin.unknown()), Family.IPV4, tableFor(in));
        assertEquals(out, r.get(0).text());
        assertFalse(r.get(0).known());
    }

    private static String tableFor(String args) {
        return args.contains("SNAT") ? "nat" : "filter";
    }

    @Test
    void ownerNamesOtherThanRootAreLeftToTheGateway() {
        assertEquals("-m owner --uid-owner 0 -j ACCEPT", rule("-m owner --uid-owner root -j ACCEPT").text());
        assertTrue(rule("-m owner --uid-owner root -j ACCEPT").known());
        assertFalse(rule("-m owner --uid-owner nobody -j ACCEPT").known());
    }

    @Test
    void jumpsToChainsAreKnownAndUnknownTargetsAreNot() {
        assertTrue(rule("-j ks-in").known());
        assertTrue(rule("-g ks-in").known());
        assertEquals("-g ks-in", rule("-g ks-in").text());
        assertFalse(rule("-j SYNPROXY --mss 1460").known());
    }

    @Test
    void interfaceWildcardsStayAndAPlainPlusVanishes() {
        assertEquals("! -i eth+ -j DROP", rule("! -i eth+ -j DROP").text());
        assertEquals("-j DROP", rule("-i + -j DROP").text());
        assertEquals("! -i + -j DROP", rule("! -i + -j DROP").text());
    }

    @Test
    void knowsSaysWhetherEveryRuleIsUnderstood() {
        RawRuleset known = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", null, "-p udp --dport 53 -j ACCEPT");
        RawRuleset unknown = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", null,
                "-p udp --dport 53 -j ACCEPT", "-m cpu --cpu 0 -j DROP");
        assertTrue(builtin.knows(known));
        assertFalse(builtin.knows(unknown));
    }

    @Test
    void aMatchAfterTheTargetMovesInFront() {
        assertEquals("-i lo -m comment --comment loopback -j ACCEPT",
                rule("-i lo -j ACCEPT -m comment --comment \"loopback\"").text());
    }

    @Test
    void getoptOwnershipFollowsTheOrderOptionsWereMerged() {
        // the CT target merges its own --helper after the first helper match, so a second helper match
        // cannot take --helper any more: iptables refuses the rule, and so do we
        List<Rule> r = rules(Family.IPV4, "raw", "-p tcp -m helper --helper ftp -j CT --helper ftp");
        assertEquals("-p tcp -m helper --helper ftp -j CT --helper ftp", r.get(0).text());
        assertTrue(r.get(0).known());
    }
}
