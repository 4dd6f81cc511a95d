package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostPatternTest {
    private static final Inventory FLEET = InventoryLoader.load(Fixture.EXAMPLES.resolve("hosts.yml"), Map.of());
    private static final String EU1 = "gw01.eu.example.com";
    private static final String EU2 = "gw02.eu.example.com";
    private static final String EU3 = "gw03.eu.example.com";
    private static final String US1 = "gw01.us.example.com";
    private static final String US2 = "gw02.us.example.com";
    private static final String BASTION = "bastion.example.com";

    private static List<String> select(String pattern) {
        return FLEET.select(pattern);
    }

    @Test
    void allAndStarSelectEveryHostInInventoryOrder() {
        assertEquals(List.of(EU1, EU2, EU3, US1, US2, BASTION), select("all"));
        assertEquals(select("all"), select("*"));
    }

    @Test
    void aGroupSelectsTheHostsOfItsChildrenToo() {
        assertEquals(List.of(EU1, EU2, EU3, US1, US2), select("gateways"));
    }

    @Test
    void exclusionRemovesAGroup() {
        assertEquals(List.of(EU2, EU3, US2), select("gateways:!canary"));
    }

    @Test
    void intersectionKeepsHostsInBothGroups() {
        assertEquals(List.of(EU1), select("eu:&canary"));
        assertEquals(List.of(EU1), select("eu,&canary"));
    }

    @Test
    void unionIsWrittenWithColonOrComma() {
        assertEquals(List.of(US1, US2, BASTION), select("bastions:us"));
        assertEquals(List.of(US1, US2, BASTION), select("bastions, us"));
    }

    @Test
    void aGlobMatchesGroupAndHostNames() {
        assertEquals(List.of(EU1, EU2, EU3, US1, US2), select("gw*"));
        assertEquals(List.of(EU1, US1), select("gw01.*"));
        assertEquals(List.of(US1, US2, BASTION), select("u?:ba*"));
    }

    @Test
    void aTildeStartsARegexMatchedFromTheStartOfTheName() {
        assertEquals(List.of(EU1, EU2, EU3, US1, US2), select("~gw0[1-3]"));
        assertEquals(List.of(EU1, US1), select("~^gw[0-9]+\\.(eu|us)\\.example\\.com$:&canary"));
        assertEquals(List.of(), select("~example"));
    }

    @Test
    void orderOfTermsDoesNotMatterUnionsFirstThenIntersectionsThenExclusions() {
        assertEquals(select("gateways:!canary"), select("!canary:gateways"));
        assertEquals(List.of(EU2, EU3), select("!canary:&eu:gateways"));
    }

    @Test
    void onlyExclusionsStartFromAll() {
        assertEquals(List.of(EU2, EU3, US2, BASTION), select("!canary"));
    }

    @Test
    void aHostNameSelectsThatHost() {
        assertEquals(List.of(US2, BASTION), select(BASTION + "," + US2));
    }

    @Test
    void subscriptsPickByPositionInTheGroup() {
        assertEquals(List.of(EU1), select("eu[0]"));
        assertEquals(List.of(EU3), select("eu[-1]"));
        assertEquals(List.of(EU2, EU3), select("eu[1:]"));
        assertEquals(List.of(EU1, EU2), select("eu[0:1]"));
    }

    @Test
    void ungroupedIsAGroupLikeAnyOther() {
        assertEquals(List.of(), select("ungrouped"));
    }

    @Test
    void anUnknownNameIsAnErrorNamingItAndWhereThePatternCameFrom() {
        InputError e = assertThrows(InputError.class, () -> select("gateways:&eux"));
        assertEquals(HostPattern.COMMAND_LINE, e.origin());
        assertTrue(e.getMessage().contains("no group or host named 'eux'"), e.getMessage());
        assertTrue(e.getMessage().contains("canary"), e.getMessage());
        Origin play = new Origin("site.yml", 3, "hosts");
        assertEquals(play, assertThrows(InputError.class, () -> FLEET.select("gatways", play)).origin());
    }

    @Test
    void aGlobMatchingNothingSelectsNothing() {
        assertEquals(List.of(), select("db*"));
    }

    @Test
    void malformedPatternsAreErrors() {
        assertThrows(InputError.class, () -> select(""));
        assertThrows(InputError.class, () -> select("gateways:!"));
        assertThrows(InputError.class, () -> select("~gw[0-"));
        assertThrows(InputError.class, () -> select("eu[7]"));
    }

    @Test
    void globsFollowFnmatch() {
        assertTrue(HostPattern.glob("gw0[!4-9]*").test("gw01.eu"));
        assertTrue(!HostPattern.glob("gw0[!1-3]*").test("gw01.eu"));
        assertTrue(HostPattern.glob("a.b").test("a.b"));
        assertTrue(!HostPattern.glob("a.b").test("axb"));
    }
}
