package dev.killswitch.agent.desired;

import static dev.killswitch.agent.desired.Examples.HEADER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.Family;
import dev.killswitch.agent.rules.Origin;
import dev.killswitch.agent.rules.RawChain;
import dev.killswitch.agent.rules.RawRule;
import dev.killswitch.agent.rules.RawRuleset;
import dev.killswitch.agent.rules.RawTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnedTablesTest {
    private static final String F = "gw1.yaml";

    @Test
    void turnsOwnedTablesIntoARawRulesetInFileOrder() {
        DesiredState s = DesiredStateReader.read(F, HEADER + """
                ipv4:
                  nat:
                    chains:
                      POSTROUTING: [-o eth0 -j MASQUERADE]
                  filter:
                    policies: {INPUT: DROP, FORWARD: DROP, OUTPUT: ACCEPT}
                    chains:
                      ks-out: [-o wg0 -j ACCEPT]
                      INPUT: [-i lo -j ACCEPT]
                """);
        RawRuleset raw = OwnedTables.toRaw(s, Family.IPV4);

        assertEquals(Family.IPV4, raw.family());
        assertEquals(List.of("nat", "filter"), List.copyOf(raw.tables().keySet()));
        RawTable nat = raw.tables().get("nat");
        assertEquals(new RawChain("POSTROUTING", null,
                List.of(new RawRule("-o eth0 -j MASQUERADE", new Origin(F, 7, "ipv4.nat.chains.POSTROUTING[0]"))),
                new Origin(F, 5, "ipv4.nat.chains.POSTROUTING")), nat.chains().get("POSTROUTING"));
        RawTable filter = raw.tables().get("filter");
        assertEquals(List.of("ks-out", "INPUT", "FORWARD", "OUTPUT"), List.copyOf(filter.chains().keySet()));
        assertEquals(null, filter.chains().get("ks-out").policy());
        assertEquals("DROP", filter.chains().get("INPUT").policy());
        assertEquals(1, filter.chains().get("INPUT").rules().size());
        assertEquals(new RawChain("FORWARD", "DROP", List.of(), new Origin(F, 8, "ipv4.filter.chains.FORWARD")),
                filter.chains().get("FORWARD"));
        assertEquals("ACCEPT", filter.chains().get("OUTPUT").policy());
        assertTrue(filter.chains().get("OUTPUT").rules().isEmpty());
    }

    @Test
    void anAbsentFamilyOwnsNoTables() {
        DesiredState s = DesiredStateReader.read(F, HEADER + "ipv4: {filter: {chains: {}}}\n");
        assertEquals(new RawRuleset(Family.IPV6, java.util.Map.of()), OwnedTables.toRaw(s, Family.IPV6));
    }

    @Test
    void ignoredChainsMatchTheTablesGlobs() {
        DesiredState s = DesiredStateReader.read(F, Examples.example());
        DesiredState.TableSpec filter = s.families().get(Family.IPV4).get("filter");
        assertTrue(OwnedTables.ignored(filter, "DOCKER"));
        assertTrue(OwnedTables.ignored(filter, "DOCKER-USER"));
        assertTrue(OwnedTables.ignored(filter, "f2b-sshd"));
        assertFalse(OwnedTables.ignored(filter, "f2b"));
        assertFalse(OwnedTables.ignored(filter, "MYDOCKER"));
    }

    @Test
    void globsTreatDotsLiterallyAndQuestionMarksAsOneCharacter() {
        assertTrue(OwnedTables.globMatches("a.b", "a.b"));
        assertFalse(OwnedTables.globMatches("a.b", "axb"));
        assertTrue(OwnedTables.globMatches("f2b-?", "f2b-x"));
        assertFalse(OwnedTables.globMatches("f2b-?", "f2b-xy"));
    }
}
