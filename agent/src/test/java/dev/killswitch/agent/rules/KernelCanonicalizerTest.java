package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.ProcessRunner;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The kernel canonicaliser against the real iptables, each call in its own throwaway network namespace. */
@Tag("netns")
class KernelCanonicalizerTest {

    private final KernelCanonicalizer kernel = new KernelCanonicalizer(new ProcessRunner());

    private static List<String> texts(Ruleset rs, String table, String chain) {
        return rs.table(table).chain(chain).rules().stream().map(Rule::text).toList();
    }

    @Test
    void theKernelSaysTheCanonicalFormAndExpandsAddressLists() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", "DROP",
                "--protocol TCP --source 10.0.0.1,10.1.2.3/16 --destination-port ssh --jump ACCEPT",
                "-m cpu --cpu 1 -j DROP");
        Ruleset rs = kernel.canonicalize(raw);
        assertEquals(List.of("-s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT",
                "-s 10.1.0.0/16 -p tcp -m tcp --dport 22 -j ACCEPT", "-m cpu --cpu 1 -j DROP"),
                texts(rs, "filter", "INPUT"));
        assertEquals(List.of("INPUT"), List.copyOf(rs.table("filter").chains().keySet()),
                "built-in chains the raw ruleset did not name are dropped");
        assertEquals("DROP", rs.table("filter").chain("INPUT").policy());
        assertFalse(rs.table("filter").chain("INPUT").rules().get(2).known(), "cpu is not a builtin module");
    }

    @Test
    void ipv6TooAndUnknownModulesComeBackAsTheKernelPrintsThem() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV6, "INPUT", null,
                "-p icmpv6 --icmpv6-type neighbour-solicitation -j ACCEPT", "-m rt --rt-type 0 -j DROP");
        assertEquals(List.of("-p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT", "-m rt --rt-type 0 -j DROP"),
                texts(kernel.canonicalize(raw), "filter", "INPUT"));
    }

    @Test
    void aRuleIptablesRefusesIsAnInputErrorAtItsOrigin() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", null,
                "-j ACCEPT", "-p tcp --dport 70000 -j ACCEPT");
        InputError e = assertThrows(InputError.class, () -> kernel.canonicalize(raw));
        assertEquals(new Origin("gw1.yaml", 11, "ipv4.filter.chains.INPUT[1]"), e.origin());
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
    }

    @Test
    void aRuleTheKernelRejectsIsAnInputErrorAtItsOrigin() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", null,
                "-j ACCEPT", "-j LOG", "-m owner --uid-owner 0 -j ACCEPT");
        InputError e = assertThrows(InputError.class, () -> kernel.canonicalize(raw));
        assertEquals(12, e.origin().line());
        assertTrue(e.getMessage().contains("RULE_APPEND failed"), e.getMessage());
    }

    @Test
    void aJumpToAMissingChainIsAnInputErrorAtTheJump() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", null,
                "-j ACCEPT", "-p udp -j nowhere");
        InputError e = assertThrows(InputError.class, () -> kernel.canonicalize(raw));
        assertEquals(11, e.origin().line());
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void autoFallsBackToTheKernelAndAgreesWithTheBuiltinOnKnownRules() {
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", "DROP",
                "-i wg0 -p udp --sport 53 -m comment --comment \"dns back\" -j ACCEPT", "-m cpu --cpu 0 -j DROP");
        Ruleset auto = new AutoCanonicalizer(new BuiltinCanonicalizer(), kernel).canonicalize(raw);
        Ruleset builtin = new BuiltinCanonicalizer().canonicalize(raw);
        assertEquals(texts(builtin, "filter", "INPUT").get(0), texts(auto, "filter", "INPUT").get(0));
        assertEquals("-m cpu --cpu 0 -j DROP", texts(auto, "filter", "INPUT").get(1));
    }

    static List<NormalisationExamples> examples() throws Exception {
        return NormalisationExamples.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theKernelAgreesWithEveryNormalisationExample(NormalisationExamples ex) {
        List<Rule> rules = kernel.canonicalize(ex.raw()).table(ex.table()).chain(ex.chain()).rules();
        assertEquals(NormalisationExamples.joinExpected(ex.expected()), NormalisationExamples.join(rules));
    }
}
