package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example of NORMALISATION.md: the builtin canonicaliser prints what iptables-save printed. */
class NormalisationTest {

    static List<NormalisationExamples> examples() throws Exception {
        return NormalisationExamples.all();
    }

    @Test
    void theDocumentYieldsItsExamples() throws Exception {
        assertEquals(79, examples().size(), "rule examples in NORMALISATION.md");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void builtinPrintsWhatIptablesSavePrinted(NormalisationExamples ex) {
        Ruleset rs = new BuiltinCanonicalizer().canonicalize(ex.raw());
        List<Rule> rules = rs.table(ex.table()).chain(ex.chain()).rules();
        assertEquals(NormalisationExamples.joinExpected(ex.expected()), NormalisationExamples.join(rules));
        assertTrue(rules.stream().allMatch(Rule::known), "every rule is known");
    }
}
