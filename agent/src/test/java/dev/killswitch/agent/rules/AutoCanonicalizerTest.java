package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoCanonicalizerTest {

    /** A kernel stand-in that records what it was asked. */
    static final class RecordingKernel implements Canonicalizer {
        final List<RawRuleset> asked = new ArrayList<>();
        final Ruleset answer = Ruleset.empty(Family.IPV4);

        @Override
        public Ruleset canonicalize(RawRuleset raw) {
            asked.add(raw);
            return answer;
        }
    }

    @Test
    void usesTheBuiltinWhenItKnowsEveryRule() {
        RecordingKernel kernel = new RecordingKernel();
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", "DROP",
                "-p tcp --dport ssh -j ACCEPT", "-m conntrack --ctstate established,related -j ACCEPT");
        Ruleset rs = new AutoCanonicalizer(new BuiltinCanonicalizer(), kernel).canonicalize(raw);
        assertTrue(kernel.asked.isEmpty());
        assertEquals("-p tcp -m tcp --dport 22 -j ACCEPT", rs.table("filter").chain("INPUT").rules().get(0).text());
    }

    @Test
    void asksTheKernelWhenOneRuleIsUnknown() {
        RecordingKernel kernel = new RecordingKernel();
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", "DROP",
                "-p tcp --dport ssh -j ACCEPT", "-m set --match-set blocked src -j DROP");
        Ruleset rs = new AutoCanonicalizer(new BuiltinCanonicalizer(), kernel).canonicalize(raw);
        assertEquals(List.of(raw), kernel.asked);
        assertSame(kernel.answer, rs);
    }

    @Test
    void invalidInputStopsBeforeTheKernelIsAsked() {
        RecordingKernel kernel = new RecordingKernel();
        RawRuleset raw = KernelCanonicalizerRenderTest.ruleset(Family.IPV4, "INPUT", "DROP",
                "-m set --match-set x src -m comment --comment \"$(id)\" -j DROP");
        assertThrows(InputError.class, () -> new AutoCanonicalizer(new BuiltinCanonicalizer(), kernel).canonicalize(raw));
        assertTrue(kernel.asked.isEmpty());
    }
}
