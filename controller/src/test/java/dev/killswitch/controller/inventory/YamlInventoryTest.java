package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YamlInventoryTest {
    @TempDir
    Path dir;

    private Inventory yaml(String... lines) {
        return Fixture.load(dir, "hosts.yml", lines);
    }

    private InputError error(String... lines) {
        return assertThrows(InputError.class, () -> yaml(lines));
    }

    @Test
    void nestedGroupsCarryTheirHostsUpToEveryAncestor() {
        Inventory inventory = yaml(
                "all:",
                "  children:",
                "    gateways:",
                "      children:",
                "        eu:",
                "          children:",
                "            eu_west:",
                "              hosts:",
                "                gw1:");
        assertEquals(List.of("gw1"), inventory.hostsOf("gateways"));
        assertEquals(List.of("eu"), inventory.group("eu_west").parents());
        assertEquals(List.of("eu", "eu_west", "gateways"), inventory.groupNames("gw1"));
    }

    @Test
    void topLevelGroupsOtherThanAllHangUnderAll() {
        Inventory inventory = yaml("eu:", "  hosts:", "    gw1:", "us:", "  hosts: gw2");
        assertEquals(List.of("gw1", "gw2"), inventory.hostsOf("all"));
        assertTrue(inventory.group("all").children().containsAll(List.of("eu", "us")));
    }

    @Test
    void hostsUnderAllAloneAreUngrouped() {
        Inventory inventory = yaml("all:", "  hosts:", "    solo:", "      ansible_host: 192.0.2.9");
        assertEquals(List.of("solo"), inventory.hostsOf("ungrouped"));
        assertEquals("192.0.2.9", inventory.connection("solo").address());
    }

    @Test
    void hostRangesExpandWithTheirInlineVarsAndPort() {
        Inventory inventory = yaml("all:", "  hosts:", "    gw[08:10].example.com:2200:", "      role: gateway");
        assertEquals(List.of("gw08.example.com", "gw09.example.com", "gw10.example.com"), inventory.hosts());
        assertEquals(Map.of("ansible_port", 2200, "role", "gateway"), inventory.vars("gw09.example.com"));
    }

    @Test
    void aHostInTwoGroupsKeepsVarsFromBothPlaces() {
        Inventory inventory = yaml("eu:", "  hosts:", "    gw1: {a: 1}", "canary:", "  hosts:", "    gw1: {b: 2}");
        assertEquals(Map.of("a", 1, "b", 2), inventory.vars("gw1"));
    }

    @Test
    void yesAndNoAreBooleansAsInYaml11() {
        Inventory inventory = yaml("all:", "  vars: {ansible_become: yes, other: no}", "  hosts: {h1: }");
        assertEquals(true, inventory.vars("h1").get("ansible_become"));
        assertEquals(false, inventory.vars("h1").get("other"));
    }

    @Test
    void malformedYamlNamesTheLine() {
        InputError e = error("all:", "  hosts:", "    gw1:", "   bad: [");
        assertTrue(e.origin().line() >= 4, e.toString());
        assertTrue(e.getMessage().contains("malformed YAML"), e.getMessage());
    }

    @Test
    void aDuplicateKeyIsAnError() {
        assertEquals(4, error("all:", "  hosts:", "    gw1:", "    gw1:").origin().line());
    }

    @Test
    void aMisspeltSectionIsAnErrorNotSilentlySkipped() {
        InputError e = error("all:", "  children:", "    eu:", "      host:", "        gw1:");
        assertEquals(4, e.origin().line());
        assertTrue(e.getMessage().contains("unexpected key 'host'"), e.getMessage());
    }

    @Test
    void hostsWrittenAsAListAreAnErrorNamingTheLine() {
        InputError e = error("all:", "  hosts:", "    - gw1");
        assertEquals(2, e.origin().line());
        assertTrue(e.getMessage().contains("must be a mapping, found a list"), e.getMessage());
    }

    @Test
    void anEmptyInventoryIsAnError() {
        assertTrue(error("# nothing").getMessage().contains("empty inventory"));
    }
}
