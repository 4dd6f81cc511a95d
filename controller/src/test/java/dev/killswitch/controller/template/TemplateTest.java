package dev.killswitch.controller.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private static final Origin AT = new Origin("play.yml", 7, "rules");
    private static final Map<String, Object> VARS = Map.of(
            "wg_port", 51820,
            "region", "eu",
            "wg", Map.of("interface", "wg0", "peers", List.of(Map.of("endpoint", "198.51.100.10"))),
            "empty", "",
            "nothing", new LinkedHashMap<>(Map.of()));

    private static Object render(Object value) {
        return Template.render(value, VARS, AT);
    }

    @Test
    void substitutesVariablesInsideText() {
        assertEquals("listen on eu:51820", render("listen on {{ region }}:{{wg_port}}"));
    }

    @Test
    void aWholeExpressionKeepsTheValueType() {
        assertEquals(51820, render("{{ wg_port }}"));
        assertEquals(Map.of("endpoint", "198.51.100.10"), render("{{ wg.peers[0] }}"));
    }

    @Test
    void dottedAndBracketLookupsReachIntoMapsAndLists() {
        assertEquals("wg0", render("{{ wg.interface }}"));
        assertEquals("wg0", render("{{ wg['interface'] }}"));
        assertEquals("198.51.100.10", render("{{ wg.peers[0].endpoint }}"));
        assertEquals("198.51.100.10", render("{{ wg.peers.0.endpoint }}"));
    }

    @Test
    void rendersRecursivelyThroughMapsAndLists() {
        Object rendered = render(Map.of("dport", "{{ wg_port }}", "in", List.of("{{ wg.interface }}", "lo"), "n", 3));
        assertEquals(Map.of("dport", 51820, "in", List.of("wg0", "lo"), "n", 3), rendered);
    }

    @Test
    void defaultReplacesAnUndefinedVariableOnly() {
        assertEquals("1420", render("{{ mtu | default(1420) }}").toString());
        assertEquals("us", render("{{ nope.deeper | default('us') }}"));
        assertEquals("eu", render("{{ region | default('us') }}"));
        assertEquals("", render("{{ empty | default('x') }}"));
        assertEquals("x", render("{{ empty | default('x', true) }}"));
        assertEquals("eu", render("{{ nope | default(region) }}"));
        assertEquals("eu", render("{{ a | default(b) | default(region) }}"));
    }

    @Test
    void anUndefinedVariableNamesFileLineFieldAndVariable() {
        InputError e = assertThrows(InputError.class, () -> render(Map.of("dport", "{{ wg_prot }}")));
        assertEquals(new Origin("play.yml", 7, "rules.dport"), e.origin());
        assertTrue(e.getMessage().contains("undefined variable 'wg_prot'"), e.getMessage());
        assertTrue(e.getMessage().startsWith("play.yml:7: rules.dport:"), e.getMessage());
    }

    @Test
    void anUndefinedKeyNamesTheWholePath() {
        InputError e = assertThrows(InputError.class, () -> render(List.of("a", "{{ wg.peers[3].endpoint }}")));
        assertEquals("rules[1]", e.origin().field());
        assertTrue(e.getMessage().contains("'wg.peers[3]'"), e.getMessage());
    }

    @Test
    void variablesWhoseValuesAreTemplatesAreRenderedToo() {
        Map<String, Object> vars = Map.of("net", "192.0.2", "host", "{{ net }}.11", "listen", "{{ host }}:51820");
        assertEquals("192.0.2.11:51820", Template.render("{{ listen }}", vars, AT));
    }

    @Test
    void anUndefinedVariableInsideAnotherVariableSaysThroughWhich() {
        Map<String, Object> vars = Map.of("host", "{{ net }}.11");
        InputError e = assertThrows(InputError.class, () -> Template.render("{{ host }}", vars, AT));
        assertTrue(e.getMessage().contains("undefined variable 'net' (via host)"), e.getMessage());
    }

    @Test
    void aVariableThatRefersToItselfIsAnErrorNotAHang() {
        Map<String, Object> vars = Map.of("a", "{{ b }}", "b", "x{{ a }}");
        InputError e = assertThrows(InputError.class, () -> Template.render("{{ a }}", vars, AT));
        assertTrue(e.getMessage().contains("refers to itself"), e.getMessage());
    }

    @Test
    void textWithoutExpressionsIsReturnedUnchanged() {
        String text = "no {braces} here }}";
        assertEquals(text, render(text));
        assertFalse(Template.isTemplated(text));
    }

    @Test
    void nullAndBooleansPrintAsJinjaPrintsThem() {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("none", null);
        vars.put("flag", true);
        assertEquals("[] True", Template.render("[{{ none }}] {{ flag }}", vars, AT));
        assertEquals("True", Template.renderText("{{ flag }}", vars, AT));
    }

    @Test
    void statementsOtherFiltersAndCodeAreRefused() {
        for (String text : Arrays.asList(
                "{% for x in y %}", "{# note #}", "{{ region | upper }}", "{{ region.__class__() }}",
                "{{ wg_port + 1 }}", "{{ lookup('pipe', 'id') }}", "{{ region", "{{ }}")) {
            InputError e = assertThrows(InputError.class, () -> render(text), text);
            assertEquals("play.yml", e.origin().file(), text);
        }
    }

    @Test
    void aClosingBraceInsideAStringLiteralDoesNotEndTheExpression() {
        assertEquals("}}", render("{{ nope | default('}}') }}"));
    }
}
