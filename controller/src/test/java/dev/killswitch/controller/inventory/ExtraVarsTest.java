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

class ExtraVarsTest {
    @TempDir
    Path dir;

    @Test
    void keyValuePairsAreTextAndQuotesGroupSpaces() {
        ExtraVars vars = ExtraVars.parse(List.of("region=eu port=2222 motd='hello world'"), dir);
        assertEquals(Map.of("region", "eu", "port", "2222", "motd", "hello world"), vars.values());
    }

    @Test
    void anAtFileIsReadAsYamlRelativeToTheBaseDirectory() {
        Fixture.write(dir, "vars/rollout.yml", "batch: 5", "dns: [192.0.2.53]");
        ExtraVars vars = ExtraVars.parse(List.of("@vars/rollout.yml"), dir);
        assertEquals(Map.of("batch", 5, "dns", List.of("192.0.2.53")), vars.values());
        assertEquals(2, vars.variables().get("dns").origin().line());
    }

    @Test
    void anInlineJsonMappingIsAccepted() {
        assertEquals(Map.of("n", 1), ExtraVars.parse(List.of("{\"n\": 1}"), dir).values());
    }

    @Test
    void laterArgumentsWin() {
        assertEquals(Map.of("a", "2"), ExtraVars.parse(List.of("a=1", "a=2"), dir).values());
    }

    @Test
    void extraVarsOverrideEverySourceInTheInventory() {
        Fixture.write(dir, "host_vars/h1.yml", "ansible_port: 2200");
        Inventory inventory = InventoryLoader.load(Fixture.write(dir, "hosts", "h1 ansible_port=2201"),
                ExtraVars.parse(List.of("ansible_port=2202"), dir));
        assertEquals(2202, inventory.connection("h1").port());
        assertEquals("extra vars (-e)", inventory.variables("h1").get("ansible_port").origin().file());
    }

    @Test
    void malformedArgumentsAreErrorsNamingWhichOne() {
        InputError e = assertThrows(InputError.class, () -> ExtraVars.parse(List.of("a=1", "justaword"), dir));
        assertEquals(2, e.origin().line());
        assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
        assertThrows(InputError.class, () -> ExtraVars.parse(List.of("@missing.yml"), dir));
        assertThrows(InputError.class, () -> ExtraVars.parse(List.of("bad-name=1"), dir));
        assertThrows(InputError.class, () -> ExtraVars.parse(List.of("{broken"), dir));
    }
}
