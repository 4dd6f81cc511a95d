package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.InputError;
import dev.killswitch.agent.rules.Origin;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConnectionTest {
    @TempDir
    Path dir;

    @Test
    void withoutConnectionVarsTheNameIsTheAddressOnPort22AsTheCurrentUser() {
        HostConnection c = Fixture.load(dir, "hosts", "gw1.example.com").connection("gw1.example.com");
        assertEquals(new HostConnection("gw1.example.com", "gw1.example.com", 22, System.getProperty("user.name"),
                Optional.empty(), false, Optional.empty()), c);
    }

    @Test
    void connectionVarsAreRead() {
        HostConnection c = Fixture.load(dir, "hosts", "gw1 ansible_host=192.0.2.1 ansible_port=2222 ansible_user=ops"
                + " ansible_ssh_private_key_file=/keys/gw ansible_become=yes killswitch_jump_host=198.51.100.1").connection("gw1");
        assertEquals(new HostConnection("gw1", "192.0.2.1", 2222, "ops", Optional.of("/keys/gw"), true,
                Optional.of("198.51.100.1")), c);
    }

    @Test
    void olderSshAliasesAreUnderstood() {
        HostConnection c = Fixture.load(dir, "hosts", "gw1 ansible_ssh_host=192.0.2.1 ansible_ssh_port=2200 ansible_ssh_user=ops")
                .connection("gw1");
        assertEquals("192.0.2.1", c.address());
        assertEquals(2200, c.port());
        assertEquals("ops", c.user());
    }

    @Test
    void becomeFollowsAnsibleTruthiness() {
        for (Object yes : List.of(true, "yes", "Yes", "on", "true", "True", "1", 1, "y", "t")) {
            assertTrue(HostConnection.parseTruth(yes, Origin.unknown()), String.valueOf(yes));
        }
        for (Object no : List.of(false, "no", "NO", "off", "false", "0", 0, "n", "f", "")) {
            assertFalse(HostConnection.parseTruth(no, Origin.unknown()), String.valueOf(no));
        }
        InputError e = assertThrows(InputError.class,
                () -> Fixture.load(dir, "hosts", "[g]", "gw1 ansible_become=maybe").connection("gw1"));
        assertEquals(new Origin(dir.resolve("hosts").toString(), 2, "ansible_become"), e.origin());
    }

    @Test
    void anInvalidPortNamesTheFileLineAndVariable() {
        Fixture.write(dir, "host_vars/gw1.yml", "ansible_host: 192.0.2.1", "ansible_port: 70000");
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts", "gw1").connection("gw1"));
        assertTrue(e.origin().file().endsWith("gw1.yml"));
        assertEquals(2, e.origin().line());
        assertEquals("ansible_port", e.origin().field());
        assertTrue(e.getMessage().contains("invalid port '70000'"), e.getMessage());
    }

    @Test
    void connectionVarsMayBeTemplates() {
        Fixture.write(dir, "group_vars/eu.yml", "net: 192.0.2", "ansible_host: \"{{ net }}.{{ octet }}\"", "ansible_port: \"{{ ssh_port | default(22) }}\"");
        Inventory inventory = Fixture.load(dir, "hosts", "[eu]", "gw1 octet=11", "gw2 octet=12 ssh_port=2222");
        assertEquals("192.0.2.11", inventory.connection("gw1").address());
        assertEquals(22, inventory.connection("gw1").port());
        assertEquals(2222, inventory.connection("gw2").port());
    }

    @Test
    void anUndefinedVariableInAConnectionVarNamesWhereTheVarWasWritten() {
        Fixture.write(dir, "host_vars/gw1/main.yml", "# gw1", "ansible_host: \"{{ wan_ip }}\"");
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts", "gw1").connection("gw1"));
        assertTrue(e.origin().file().endsWith("main.yml"), e.toString());
        assertEquals(2, e.origin().line());
        assertEquals("ansible_host", e.origin().field());
        assertTrue(e.getMessage().contains("undefined variable 'wan_ip'"), e.getMessage());
    }

    @Test
    void templatesSeeTheInventoryHostname() {
        Fixture.write(dir, "group_vars/all.yml", "killswitch_jump_host: \"jump-{{ inventory_hostname_short }}\"");
        assertEquals(Optional.of("jump-gw1"), Fixture.load(dir, "hosts", "gw1.example.com").connection("gw1.example.com").jumpHost());
    }
}
