package dev.killswitch.agent.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Ruleset;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorTest {

    static Packet out(String iface, String proto, String dst, Integer dport, String state) {
        return new Packet(Family.IPV4, "OUTPUT", null, iface, proto, "192.0.2.10", dst, 40000, dport, state);
    }

    static final Packet DNS = out("eth0", "udp", "9.9.9.9", 53, "NEW");

    static Ruleset filter(String output) {
        return CanonicalText.ruleset(Family.IPV4, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                + output + "\nCOMMIT\n");
    }

    static void assertDecision(Verdict verdict, String decidedBy, Decision d) {
        assertEquals(new Decision(verdict, decidedBy), d);
    }

    @Test
    void missingFilterTableOrChainAccepts() {
        assertDecision(Verdict.ACCEPT, "no filter table (kernel default ACCEPT)",
                Simulator.evaluate(Ruleset.empty(Family.IPV4), DNS));
        Ruleset noOutput = CanonicalText.ruleset(Family.IPV4, "*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
        assertDecision(Verdict.ACCEPT, "no filter OUTPUT chain (kernel default ACCEPT)",
                Simulator.evaluate(noOutput, DNS));
    }

    @Test
    void policyDecidesWhenNoRuleMatches() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o wg0 -j ACCEPT");
        assertDecision(Verdict.DENY, "policy of OUTPUT (DROP)", Simulator.evaluate(rs, DNS));
        Ruleset open = filter(":OUTPUT ACCEPT [0:0]\n-A OUTPUT -o wg0 -j DROP");
        assertDecision(Verdict.ACCEPT, "policy of OUTPUT (ACCEPT)", Simulator.evaluate(open, DNS));
    }

    @Test
    void firstMatchingRuleWins() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n-A OUTPUT -o wg0 -j ACCEPT\n-A OUTPUT -p udp -j DROP\n"
                + "-A OUTPUT -j ACCEPT");
        assertDecision(Verdict.DENY, "filter OUTPUT #2: -A OUTPUT -p udp -j DROP", Simulator.evaluate(rs, DNS));
    }

    @Test
    void rejectDenies() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n-A OUTPUT -j REJECT --reject-with icmp-port-unreachable");
        assertEquals(Verdict.DENY, Simulator.evaluate(rs, DNS).verdict());
    }

    @Test
    void negatedInterfaceMatchesEveryOtherInterface() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n-A OUTPUT ! -o wg0 -j DROP");
        assertEquals(Verdict.DENY, Simulator.evaluate(rs, DNS).verdict());
        assertEquals(Verdict.ACCEPT, Simulator.evaluate(rs, out("wg0", "udp", "9.9.9.9", 53, "NEW")).verdict());
    }

    @Test
    void interfaceWildcardMatchesByPrefix() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o eth+ -j ACCEPT");
        assertEquals(Verdict.ACCEPT, Simulator.evaluate(rs, DNS).verdict());
        assertEquals(Verdict.DENY, Simulator.evaluate(rs, out("wg0", "udp", "9.9.9.9", 53, "NEW")).verdict());
    }

    @Test
    void destinationCidrContainsTheAddress() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -d 9.9.0.0/16 -j ACCEPT");
        assertEquals(Verdict.ACCEPT, Simulator.evaluate(rs, DNS).verdict());
        assertEquals(Verdict.DENY, Simulator.evaluate(rs, out("eth0", "udp", "9.8.9.9", 53, "NEW")).verdict());
    }

    @Test
    void jumpFallsThroughBackToTheCaller() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n:checks - [0:0]\n-A OUTPUT -j checks\n-A OUTPUT -j ACCEPT\n"
                + "-A checks -o wg0 -j DROP");
        assertDecision(Verdict.ACCEPT, "filter OUTPUT #2: -A OUTPUT -j ACCEPT", Simulator.evaluate(rs, DNS));
    }

    @Test
    void verdictInAUserChainEndsTheWalk() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n:checks - [0:0]\n-A OUTPUT -j checks\n-A OUTPUT -j ACCEPT\n"
                + "-A checks -p udp -m udp --dport 53 -j DROP");
        assertDecision(Verdict.DENY, "filter checks #1: -A checks -p udp -m udp --dport 53 -j DROP",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void returnLeavesTheUserChainEarly() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n:checks - [0:0]\n-A OUTPUT -j checks\n-A OUTPUT -j ACCEPT\n"
                + "-A checks -p udp -j RETURN\n-A checks -j DROP");
        assertDecision(Verdict.ACCEPT, "filter OUTPUT #2: -A OUTPUT -j ACCEPT", Simulator.evaluate(rs, DNS));
    }

    @Test
    void returnInABuiltinChainAppliesThePolicy() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j RETURN\n-A OUTPUT -j ACCEPT");
        assertDecision(Verdict.DENY, "policy of OUTPUT (DROP)", Simulator.evaluate(rs, DNS));
    }

    @Test
    void gotoReturnsToTheCallerOfTheCurrentChain() {
        String chains = ":OUTPUT DROP [0:0]\n:inner - [0:0]\n:outer - [0:0]\n"
                + "-A OUTPUT -j outer\n-A OUTPUT -j ACCEPT\n-A inner -j RETURN\n-A outer %s inner\n-A outer -j DROP";
        // -j inner: inner returns into outer, whose DROP decides
        assertDecision(Verdict.DENY, "filter outer #2: -A outer -j DROP",
                Simulator.evaluate(filter(chains.formatted("-j")), DNS));
        // -g inner: inner returns past outer, straight back into OUTPUT
        assertDecision(Verdict.ACCEPT, "filter OUTPUT #2: -A OUTPUT -j ACCEPT",
                Simulator.evaluate(filter(chains.formatted("-g")), DNS));
    }

    @Test
    void gotoFromABuiltinChainReturnsToThePolicy() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n:inner - [0:0]\n-A OUTPUT -g inner\n-A OUTPUT -j ACCEPT\n"
                + "-A inner -o lo -j ACCEPT");
        assertDecision(Verdict.DENY, "policy of OUTPUT (DROP)", Simulator.evaluate(rs, DNS));
    }

    @Test
    void nonTerminatingTargetsContinue() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -j LOG --log-prefix leak\n"
                + "-A OUTPUT -j MARK --set-xmark 0x1/0xffffffff\n-A OUTPUT -p udp\n-A OUTPUT -j ACCEPT");
        assertDecision(Verdict.ACCEPT, "filter OUTPUT #4: -A OUTPUT -j ACCEPT", Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownTargetIsUndecidable() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j NFQUEUE --queue-num 1\n-A OUTPUT -j ACCEPT");
        assertDecision(Verdict.UNKNOWN, "filter OUTPUT #1: -A OUTPUT -p udp -j NFQUEUE --queue-num 1",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownModuleWithTheSameOutcomeOnBothBranchesDecides() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -m limit --limit 3/min -j DROP\n"
                + "-A OUTPUT -m owner --uid-owner 0 -j LOG\n-A OUTPUT -o wg0 -j ACCEPT");
        assertDecision(Verdict.DENY, "filter OUTPUT #1: -A OUTPUT -m limit --limit 3/min -j DROP",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownModuleWithDifferentOutcomesIsUnknown() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o lo -j ACCEPT\n"
                + "-A OUTPUT -m owner --uid-owner 0 -j ACCEPT\n-A OUTPUT -m mark --mark 0x1 -j ACCEPT");
        assertDecision(Verdict.UNKNOWN, "filter OUTPUT #2: -A OUTPUT -m owner --uid-owner 0 -j ACCEPT",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownModuleBesideAFalseTestDoesNotMatter() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o wg0 -m owner --uid-owner 0 -j ACCEPT");
        assertDecision(Verdict.DENY, "policy of OUTPUT (DROP)", Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownJumpWhoseChainCannotChangeTheVerdictDecides() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n:audit - [0:0]\n-A OUTPUT -m addrtype --dst-type LOCAL -j audit\n"
                + "-A audit -j NFLOG\n-A audit -o wg0 -j ACCEPT");
        assertDecision(Verdict.DENY, "policy of OUTPUT (DROP)", Simulator.evaluate(rs, DNS));
    }

    @Test
    void unknownJumpReturnThenAcceptIsUnknownAtTheJump() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n:vpn - [0:0]\n-A OUTPUT -m mark --mark 0x1 -j vpn\n"
                + "-A vpn -j ACCEPT");
        assertDecision(Verdict.UNKNOWN, "filter OUTPUT #1: -A OUTPUT -m mark --mark 0x1 -j vpn",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void undecidableRuleInsideAUserChainIsNamed() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n:vpn - [0:0]\n-A OUTPUT -j vpn\n"
                + "-A vpn -m recent --rcheck --name x --mask 255.255.255.255 --rsource -j ACCEPT");
        assertDecision(Verdict.UNKNOWN,
                "filter vpn #1: -A vpn -m recent --rcheck --name x --mask 255.255.255.255 --rsource -j ACCEPT",
                Simulator.evaluate(rs, DNS));
    }

    @Test
    void nullPacketFieldMakesItsTestsUnknown() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o wg0 -j ACCEPT");
        Packet anyInterface = out(null, "udp", "9.9.9.9", 53, "NEW");
        assertDecision(Verdict.UNKNOWN, "filter OUTPUT #1: -A OUTPUT -o wg0 -j ACCEPT",
                Simulator.evaluate(rs, anyInterface));
        // an untested null field does not matter
        Packet noState = out("eth0", "udp", "9.9.9.9", 53, null);
        assertEquals(Verdict.DENY, Simulator.evaluate(rs, noState).verdict());
    }

    @Test
    void negationOfUnknownStaysUnknown() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT ! -d 10.0.0.0/8 -j ACCEPT");
        Packet noDestination = out("eth0", "udp", null, 53, "NEW");
        assertEquals(Verdict.UNKNOWN, Simulator.evaluate(rs, noDestination).verdict());
    }

    @Test
    void jumpLoopIsUndecidableInsteadOfEndless() {
        Ruleset rs = filter(":OUTPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A OUTPUT -j a\n-A a -j b\n-A b -j a");
        assertDecision(Verdict.UNKNOWN, "filter b #1: -A b -j a", Simulator.evaluate(rs, DNS));
    }

    @Test
    void manyUndecidableRulesAndJumpsStayLinear() {
        StringBuilder sb = new StringBuilder(":OUTPUT DROP [0:0]\n:sub - [0:0]\n");
        for (int i = 0; i < 20_000; i++) {
            sb.append(i % 2 == 0 ? "-A OUTPUT -m mark --mark 0x" + Integer.toHexString(i) + " -j sub\n"
                    : "-A OUTPUT -m limit --limit " + i + "/sec -j DROP\n");
        }
        sb.append("-A sub -m connmark --mark 0x1 -j RETURN\n-A sub -o eth0 -j DROP\n-A sub -j ACCEPT");
        // every path ends in DROP; 2^20000 paths would never finish
        assertDecision(Verdict.DENY, "filter OUTPUT #2: -A OUTPUT -m limit --limit 1/sec -j DROP",
                Simulator.evaluate(filter(sb.toString()), DNS));
    }

    @Test
    void evaluateAllKeepsThePacketOrder() {
        Ruleset rs = filter(":OUTPUT DROP [0:0]\n-A OUTPUT -o wg0 -j ACCEPT");
        List<Decision> ds = Simulator.evaluateAll(rs, List.of(DNS, out("wg0", "udp", "9.9.9.9", 53, "NEW")));
        assertEquals(List.of(Verdict.DENY, Verdict.ACCEPT), ds.stream().map(Decision::verdict).toList());
    }

    @Test
    void evaluateAllAgreesWithOnePacketAtATimeOnLongChains() {
        StringBuilder sb = new StringBuilder(":OUTPUT DROP [0:0]\n:sub - [0:0]\n");
        for (int i = 0; i < 1_000; i++) {
            sb.append("-A OUTPUT -p tcp -m tcp --dport ").append(i).append(i % 3 == 0 ? " -j sub\n" : " -j ACCEPT\n");
        }
        sb.append("-A OUTPUT -m mark --mark 0x1 -j ACCEPT\n-A sub -m limit --limit 1/sec -j DROP");
        Ruleset rs = filter(sb.toString());
        List<Packet> packets = List.of(out("eth0", "tcp", "9.9.9.9", 2, "NEW"), out("eth0", "tcp", "9.9.9.9", 3, "NEW"),
                out("eth0", "tcp", "9.9.9.9", 700, "NEW"), out("eth0", "tcp", "9.9.9.9", 999, "NEW"), DNS,
                new Packet(Family.IPV4, "INPUT", "eth0", null, "tcp", "9.9.9.9", "192.0.2.10", 1, 2, "NEW"));
        List<Decision> one = packets.stream().map(p -> Simulator.evaluate(rs, p)).toList();
        assertEquals(one, Simulator.evaluateAll(rs, packets));
        assertEquals(List.of(Verdict.ACCEPT, Verdict.UNKNOWN, Verdict.ACCEPT, Verdict.UNKNOWN, Verdict.UNKNOWN,
                Verdict.ACCEPT), one.stream().map(Decision::verdict).toList());
    }

    @Test
    void packetOfTheOtherFamilyIsRefused() {
        Packet v6 = new Packet(Family.IPV6, "OUTPUT", null, "eth0", "udp", "2001:db8::1", "2001:db8::53",
                40000, 53, "NEW");
        assertThrows(IllegalArgumentException.class, () -> Simulator.evaluate(filter(":OUTPUT DROP [0:0]"), v6));
    }
}
