package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad desired rules stop with an error naming the file, the line and the field (rule and option). */
class ValidationTest {

    private static final String FIELD = "ipv4.filter.chains.INPUT[2]";

    private static InputError refuse(String args) {
        return refuse(Family.IPV4, "filter", args);
    }

    private static InputError refuse(Family family, String table, String args) {
        Origin o = new Origin("gw1.yaml", 17, FIELD);
        RawChain chain = new RawChain("INPUT", null, List.of(new RawRule(args, o)), o);
        RawRuleset raw = new RawRuleset(family, Map.of(table, new RawTable(table, Map.of("INPUT", chain))));
        return assertThrows(InputError.class, () -> new BuiltinCanonicalizer().canonicalize(raw));
    }

    private static void assertNames(InputError e, String option, String... words) {
        assertEquals("gw1.yaml", e.origin().file());
        assertEquals(17, e.origin().line());
        assertEquals(FIELD + " " + option, e.origin().field());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage() + " should mention " + w);
        }
    }

    @Test
    void badCidrIsRefused() {
        assertNames(refuse("-s 10.0.0.0/33 -j ACCEPT"), "-s", "prefix length");
        assertNames(refuse("-d 10.0.0.300 -j ACCEPT"), "-d", "bad IPv4 address");
        assertNames(refuse("-s 10.0.0.0/255.0.255.x -j ACCEPT"), "-s", "netmask");
        assertNames(refuse(Family.IPV6, "filter", "-s 2001:db8::/129 -j ACCEPT"), "-s", "prefix length");
        assertNames(refuse(Family.IPV6, "filter", "-d 2001:db8:::1 -j ACCEPT"), "-d", "bad IPv6 address");
    }

    @Test
    void portOutOfRangeIsRefused() {
        assertNames(refuse("-p tcp --dport 70000 -j ACCEPT"), "--dport", "70000", "out of range");
        assertNames(refuse("-p udp -m multiport --dports 53,70000 -j ACCEPT"), "--dports", "70000");
        assertNames(refuse("-p tcp --sport 2000:1000 -j ACCEPT"), "--sport", "min > max");
    }

    @Test
    void unknownServiceNameIsRefused() {
        assertNames(refuse("-p tcp --dport sshh -j ACCEPT"), "--dport", "sshh", "service");
        // ntp is a udp service only, as in /etc/services
        assertNames(refuse("-p tcp --dport ntp -j ACCEPT"), "--dport", "ntp");
    }

    @Test
    void unknownProtocolIsRefused() {
        assertNames(refuse("-p tcpp -j ACCEPT"), "-p", "unknown protocol", "tcpp");
        assertNames(refuse("-p 256 -j ACCEPT"), "-p", "256");
    }

    @Test
    void interfaceWithShellMetacharacterIsRefused() {
        assertNames(refuse("-i eth0;reboot -j ACCEPT"), "-i", "shell metacharacter ';'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-i eth0~ -j ACCEPT|-i",
        "-i eth+0 -j ACCEPT|-i",
        "-o averyveryverylongname -j ACCEPT|-o",
        "-i 'eth0' -j ACCEPT|-i",
    })
    void badInterfaceNamesAreRefused(String args, String option) {
        assertNames(refuse(args), option, "interface");
    }

    @Test
    void commandSubstitutionInACommentIsRefused() {
        assertNames(refuse("-m comment --comment \"$(id)\" -j ACCEPT"), "--comment",
                "refusing shell metacharacter '$' in --comment");
    }

    @Test
    void newlineInACommentIsRefused() {
        assertNames(refuse("-m comment --comment \"one\ntwo\" -j ACCEPT"), "--comment", "newline");
    }

    @Test
    void metacharactersAreRefusedInEveryToken() {
        assertNames(refuse("-j LOG --log-prefix \"x\u0001\""), "--log-prefix", "control character");
        assertNames(refuse("-m comment --comment \"a&b\" -j ACCEPT"), "--comment", "'&'");
        assertNames(refuse("-m comment --comment \"a>b\" -j ACCEPT"), "--comment", "'>'");
        assertNames(refuse("-m comment --comment \"a\u0001b\" -j ACCEPT"), "--comment", "control character");
    }

    @Test
    void chainAndTableInsideTheArgumentsAreRefused() {
        assertNames(refuse("-A INPUT -j ACCEPT"), "-A", "chain comes from");
        assertNames(refuse("-I INPUT 1 -j ACCEPT"), "-I", "chain comes from");
        assertNames(refuse("-t nat -j ACCEPT"), "-t", "table comes from");
        assertNames(refuse("--append INPUT -j ACCEPT"), "--append");
    }

    @Test
    void badChainAndTargetNamesAreRefused() {
        assertNames(refuse("-j bad#chain"), "-j", "bad chain name");
        assertNames(refuse("-g " + "x".repeat(29)), "-g", "1-28 characters");
    }

    @Test
    void hostNamesAreRefused() {
        assertNames(refuse("-s localhost -j ACCEPT"), "-s", "host name");
    }

    @Test
    void otherKernelRefusalsAreCaughtEarly() {
        assertNames(refuse("! -s 10.0.0.0/0 -j DROP"), "-s", "never matches");
        assertNames(refuse("! -s 10.0.0.1,10.0.0.2 -j DROP"), "-s", "several addresses");
        assertNames(refuse("-p icmp --icmp-type echo -j ACCEPT"), "--icmp-type", "ambiguous");
        assertNames(refuse("-m multiport --dports 80 -p tcp -j ACCEPT"), "--dports", "-p tcp");
        assertNames(refuse("-m limit --limit 100000/sec -j ACCEPT"), "--limit", "too fast");
        assertNames(refuse(Family.IPV6, "filter", "-f -j DROP"), "-f", "IPv6");
        assertNames(refuse(Family.IPV4, "nat", "-j DROP"), "-j", "nat");
    }

    @Test
    void aBadChainDeclarationNamesTheChain() {
        Origin o = new Origin("gw1.yaml", 3, "ipv4.filter.chains.bad;chain");
        RawChain chain = new RawChain("bad;chain", null, List.of(), o);
        RawRuleset raw = new RawRuleset(Family.IPV4, Map.of("filter", new RawTable("filter", Map.of("bad;chain", chain))));
        InputError e = assertThrows(InputError.class, () -> new BuiltinCanonicalizer().canonicalize(raw));
        assertEquals(o, e.origin());
    }

    @Test
    void theObservingCanonicaliserDoesNotApplyPolicyChecks() {
        Origin o = new Origin("iptables-save", 9, "filter FORWARD");
        RawChain chain = new RawChain("GOOD~STUFF", null,
                List.of(new RawRule("-j LOG --log-prefix \"a&b\"", o)), o);
        RawRuleset raw = new RawRuleset(Family.IPV4, Map.of("filter", new RawTable("filter", Map.of("GOOD~STUFF", chain))));
        Rule r = BuiltinCanonicalizer.observing().canonicalize(raw).table("filter").chain("GOOD~STUFF").rules().get(0);
        assertEquals("-j LOG --log-prefix \"a&b\"", r.text());
        assertTrue(r.known());
    }
}
