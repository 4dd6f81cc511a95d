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

class InventoryErrorsTest {
    @TempDir
    Path dir;

    @Test
    void aGroupThatIsItsOwnAncestorInIniIsAnErrorNamingTheLoop() {
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts",
                "[eu]", "gw1", "[gateways:children]", "eu", "[eu:children]", "gateways"));
        assertTrue(e.getMessage().contains("is its own ancestor"), e.getMessage());
        assertTrue(e.getMessage().contains("gateways -> eu -> gateways") || e.getMessage().contains("eu -> gateways -> eu"), e.getMessage());
        assertTrue(List.of(4, 6).contains(e.origin().line()), e.toString());
    }

    @Test
    void aGroupThatIsItsOwnAncestorInYamlIsAnError() {
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts.yml",
                "all:",
                "  children:",
                "    a:",
                "      children:",
                "        b:",
                "          children:",
                "            a:"));
        assertTrue(e.getMessage().contains("a -> b -> a"), e.getMessage());
        assertEquals(7, e.origin().line());
    }

    @Test
    void aGroupCannotContainItself() {
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts", "[g:children]", "g"));
        assertTrue(e.getMessage().contains("g -> g"), e.getMessage());
    }

    @Test
    void aMissingInventoryIsAnError() {
        InputError e = assertThrows(InputError.class, () -> InventoryLoader.load(dir.resolve("nope.yml"), Map.of()));
        assertTrue(e.getMessage().contains("inventory not found"));
    }

    @Test
    void hostNamesAreNeverResolved() {
        // .invalid can never resolve (RFC 2606): the name is kept as the address, with no lookup or delay.
        Inventory inventory = Fixture.load(dir, "hosts", "gw1.invalid");
        assertEquals("gw1.invalid", inventory.connection("gw1.invalid").address());
    }

    @Test
    void aDirectoryInventoryMergesItsFilesInNameOrderAndReadsVarsInsideIt() {
        Fixture.write(dir, "inv/10-eu.yml", "eu:", "  hosts:", "    gw1:");
        Fixture.write(dir, "inv/20-gateways", "[gateways:children]", "eu", "[gateways:vars]", "x=1");
        Fixture.write(dir, "inv/notes.md", "not an inventory");
        Fixture.write(dir, "inv/old.bak", "[broken");
        Fixture.write(dir, "inv/group_vars/eu.yml", "y: 2");
        Inventory inventory = InventoryLoader.load(dir.resolve("inv"), Map.of());
        assertEquals(List.of("gw1"), inventory.hostsOf("gateways"));
        assertEquals(Map.of("x", 1, "y", 2), inventory.vars("gw1"));
    }

    @Test
    void theResultCannotBeChanged() {
        Fixture.write(dir, "host_vars/h1.yml", "dns: [192.0.2.53]");
        Inventory inventory = Fixture.load(dir, "hosts", "h1");
        assertThrows(UnsupportedOperationException.class, () -> inventory.hosts().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> inventory.vars("h1").put("x", 1));
        @SuppressWarnings("unchecked")
        List<Object> dns = (List<Object>) inventory.vars("h1").get("dns");
        assertThrows(UnsupportedOperationException.class, () -> dns.add("x"));
    }
}
