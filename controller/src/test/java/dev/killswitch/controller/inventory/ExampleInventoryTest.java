package dev.killswitch.controller.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.rules.Origin;
import dev.killswitch.controller.template.Template;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The shipped examples: the YAML and INI forms describe one fleet, and it resolves as documented. */
class ExampleInventoryTest {
    private static final Inventory YAML = InventoryLoader.load(Fixture.EXAMPLES.resolve("hosts.yml"), Map.of());
    private static final Inventory INI = InventoryLoader.load(Fixture.EXAMPLES.resolve("hosts.ini"), Map.of());
    private static final List<String> FLEET = List.of(
            "gw01.eu.example.com", "gw02.eu.example.com", "gw03.eu.example.com",
            "gw01.us.example.com", "gw02.us.example.com", "bastion.example.com");

    @Test
    void yamlAndIniExamplesListTheSameHostsInTheSameOrder() {
        assertEquals(FLEET, YAML.hosts());
        assertEquals(FLEET, INI.hosts());
    }

    @Test
    void yamlAndIniExamplesHaveTheSameGroupsParentsChildrenAndMembers() {
        assertEquals(YAML.groups().keySet(), INI.groups().keySet());
        for (String name : YAML.groups().keySet()) {
            Group y = YAML.group(name);
            Group i = INI.group(name);
            assertEquals(new HashSet<>(y.parents()), new HashSet<>(i.parents()), name);
            assertEquals(new HashSet<>(y.children()), new HashSet<>(i.children()), name);
            assertEquals(new HashSet<>(y.hosts()), new HashSet<>(i.hosts()), name);
            assertEquals(YAML.hostsOf(name), INI.hostsOf(name), name);
        }
    }

    @Test
    void yamlAndIniExamplesResolveTheSameVariablesAndConnections() {
        for (String host : FLEET) {
            assertEquals(YAML.vars(host), INI.vars(host), host);
            assertEquals(YAML.connection(host), INI.connection(host), host);
            assertEquals(YAML.groupNames(host), INI.groupNames(host), host);
        }
        assertEquals(List.of(), YAML.warnings());
    }

    @Test
    void aHostRangeExpandsAndTakesItsAddressFromHostVars() {
        assertEquals(List.of("gw01.eu.example.com", "gw02.eu.example.com", "gw03.eu.example.com"), YAML.hostsOf("eu"));
        assertEquals(new HostConnection("gw02.eu.example.com", "192.0.2.12", 22, "ops",
                Optional.of("/etc/killswitch/id_ed25519"), true, Optional.empty()), YAML.connection("gw02.eu.example.com"));
    }

    @Test
    void inventoryHostVarsGiveAddressPortAndJumpHost() {
        assertEquals(new HostConnection("gw02.us.example.com", "203.0.113.22", 2222, "ops",
                Optional.of("/etc/killswitch/id_ed25519"), true, Optional.of("bastion.example.com")), INI.connection("gw02.us.example.com"));
    }

    @Test
    void hostsOutsideGatewaysDoNotBecomeRoot() {
        HostConnection bastion = YAML.connection("bastion.example.com");
        assertEquals("198.51.100.5", bastion.address());
        assertEquals(false, bastion.become());
    }

    @Test
    void aHostVarsDirectoryIsReadFileByFile() {
        Map<String, Variable> vars = YAML.variables("gw03.eu.example.com");
        assertEquals("192.0.2.13", vars.get("ansible_host").value());
        assertEquals(51821, vars.get("wg_port").value());
        assertTrue(vars.get("wg_port").origin().file().endsWith("wireguard.yml"), vars.get("wg_port").origin().toString());
        assertEquals(2, vars.get("wg_port").origin().line());
    }

    @Test
    void groupPriorityLetsCanarySettingsWinOverSiblingGroups() {
        assertEquals(true, YAML.vars("gw01.us.example.com").get("killswitch_log_drops"));
        assertEquals(false, YAML.vars("gw02.us.example.com").get("killswitch_log_drops"));
        assertEquals(true, INI.vars("gw01.eu.example.com").get("killswitch_log_drops"));
    }

    @Test
    void templatedVariablesRenderPerHost() {
        String host = "gw03.eu.example.com";
        Object listen = Template.render(YAML.vars(host).get("wg_listen"), YAML.templateVars(host), new Origin("test", 0, "wg_listen"));
        assertEquals("192.0.2.13:51821", listen);
    }

    @Test
    void groupNamesAreSortedAndLeaveOutAll() {
        assertEquals(List.of("canary", "eu", "gateways"), YAML.groupNames("gw01.eu.example.com"));
        assertEquals(List.of("bastions"), YAML.groupNames("bastion.example.com"));
    }

    @Test
    void aDirectoryInventoryReadsTheYamlAndSkipsIniAsAnsibleDoes() {
        Inventory dir = InventoryLoader.load(Fixture.EXAMPLES, Map.of());
        assertEquals(FLEET, dir.hosts());
        for (String host : FLEET) {
            assertEquals(YAML.vars(host), dir.vars(host), host);
        }
    }
}
