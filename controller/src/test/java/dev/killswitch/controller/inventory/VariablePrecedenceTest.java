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

/**
 * Ansible's order, lowest first: inventory group vars (all, then parents before children, siblings by
 * name or ansible_group_priority), group_vars/all, group_vars/GROUP, inventory host vars,
 * host_vars/HOST, extra vars.
 */
class VariablePrecedenceTest {
    @TempDir
    Path dir;

    /** Each source sets v_N for every N at or above its rank, so v_N shows which source won rank N. */
    private static final List<String> SOURCES = List.of(
            "inventory all vars", "inventory parent group vars", "inventory child group vars",
            "group_vars/all", "group_vars/parent", "group_vars/child",
            "inventory host vars", "host_vars/host", "extra vars");

    private static String[] setsFrom(int rank, String indent, String separator) {
        String[] lines = new String[SOURCES.size() - rank];
        for (int n = rank; n < SOURCES.size(); n++) {
            lines[n - rank] = indent + "v" + n + separator + "'" + SOURCES.get(rank) + "'";
        }
        return lines;
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }

    private void writeVarsFiles() {
        Fixture.write(dir, "group_vars/all.yml", setsFrom(3, "", ": "));
        Fixture.write(dir, "group_vars/parent.yml", setsFrom(4, "", ": "));
        Fixture.write(dir, "group_vars/child", setsFrom(5, "", ": "));
        Fixture.write(dir, "host_vars/h1/main.yml", setsFrom(7, "", ": "));
    }

    private void assertEachSourceWinsItsRank(Inventory inventory) {
        Map<String, Object> vars = inventory.vars("h1");
        for (int n = 0; n < SOURCES.size(); n++) {
            assertEquals(SOURCES.get(n), vars.get("v" + n), "v" + n);
        }
    }

    private static Map<String, String> extraVars() {
        return Map.of("v8", SOURCES.get(8));
    }

    @Test
    void everySourceOverridesTheOnesBelowItInYaml() {
        writeVarsFiles();
        Path inventory = Fixture.write(dir, "hosts.yml", concat(
                new String[] {"all:", "  vars:"}, setsFrom(0, "    ", ": "),
                new String[] {"  children:", "    parent:", "      vars:"}, setsFrom(1, "        ", ": "),
                new String[] {"      children:", "        child:", "          vars:"}, setsFrom(2, "            ", ": "),
                new String[] {"          hosts:", "            h1:"}, setsFrom(6, "              ", ": ")));
        assertEachSourceWinsItsRank(InventoryLoader.load(inventory, extraVars()));
    }

    @Test
    void everySourceOverridesTheOnesBelowItInIni() {
        writeVarsFiles();
        Path inventory = Fixture.write(dir, "hosts", concat(
                new String[] {"[child]", "h1 " + String.join(" ", setsFrom(6, "", "="))},
                new String[] {"[parent:children]", "child"},
                // Declared in the file after the child, yet still merged before it.
                new String[] {"[child:vars]"}, setsFrom(2, "", "="),
                new String[] {"[parent:vars]"}, setsFrom(1, "", "="),
                new String[] {"[all:vars]"}, setsFrom(0, "", "=")));
        assertEachSourceWinsItsRank(InventoryLoader.load(inventory, extraVars()));
    }

    @Test
    void siblingGroupsMergeByNameSoTheLaterNameWins() {
        Inventory inventory = Fixture.load(dir, "hosts",
                "[zulu]", "h1", "[alpha]", "h1",
                "[zulu:vars]", "site=zulu", "[alpha:vars]", "site=alpha");
        assertEquals("zulu", inventory.vars("h1").get("site"));
    }

    @Test
    void groupPriorityOutranksNamesAmongSiblingsButNotDepth() {
        Inventory inventory = Fixture.load(dir, "hosts.yml",
                "all:",
                "  children:",
                "    alpha: {hosts: {h1: }, vars: {site: alpha, ansible_group_priority: 5}}",
                "    zulu: {hosts: {h1: }, vars: {site: zulu}}",
                "    parent:",
                "      vars: {deep: parent, ansible_group_priority: 99}",
                "      children:",
                "        child: {hosts: {h1: }, vars: {deep: child}}");
        assertEquals("alpha", inventory.vars("h1").get("site"));
        assertEquals("child", inventory.vars("h1").get("deep"));
    }

    @Test
    void theDeepestPathDecidesWhenAGroupHasParentsAtDifferentDepths() {
        // mid sits under top (depth 2) and directly under all (depth 1): it counts as depth 2 and beats
        // "zz", another depth-1 group, although "zz" sorts after it.
        Inventory inventory = Fixture.load(dir, "hosts",
                "[mid]", "h1", "[zz]", "h1", "[top:children]", "mid",
                "[mid:vars]", "x=mid", "[zz:vars]", "x=zz");
        assertEquals("mid", inventory.vars("h1").get("x"));
    }

    @Test
    void aLaterSourceReplacesAWholeMappingRatherThanMergingIt() {
        Fixture.write(dir, "group_vars/all.yml", "wg: {interface: wg0, port: 51820}");
        Fixture.write(dir, "host_vars/h1.yml", "wg: {port: 51821}");
        Inventory inventory = Fixture.load(dir, "hosts", "h1");
        assertEquals(Map.of("port", 51821), inventory.vars("h1").get("wg"));
    }

    @Test
    void varsFilesAreFoundAsNameThenYmlThenYamlThenJsonAndTheFirstWins() {
        Fixture.write(dir, "group_vars/g.yml", "x: yml");
        Fixture.write(dir, "group_vars/g.yaml", "x: yaml");
        Fixture.write(dir, "host_vars/h1.json", "{\"y\": \"json\"}");
        Inventory inventory = Fixture.load(dir, "hosts", "[g]", "h1");
        assertEquals("yml", inventory.vars("h1").get("x"));
        assertEquals("json", inventory.vars("h1").get("y"));
    }

    @Test
    void everyVariableKnowsTheFileAndLineItCameFrom() {
        Fixture.write(dir, "host_vars/h1.yml", "# comment", "ansible_host: 192.0.2.7");
        Inventory inventory = Fixture.load(dir, "hosts", "[g]", "h1 ansible_port=2200");
        Variable host = inventory.variables("h1").get("ansible_host");
        assertTrue(host.origin().file().endsWith("h1.yml"));
        assertEquals(2, host.origin().line());
        assertEquals("ansible_host", host.origin().field());
        assertEquals(2, inventory.variables("h1").get("ansible_port").origin().line());
    }

    @Test
    void aVarsFileForAnUnknownGroupOrHostIsReportedAsAWarning() {
        Fixture.write(dir, "group_vars/gatways.yml", "x: 1");
        Fixture.write(dir, "host_vars/h2.yml", "x: 1");
        Inventory inventory = Fixture.load(dir, "hosts", "[gateways]", "h1");
        assertEquals(2, inventory.warnings().size(), inventory.warnings().toString());
        assertTrue(inventory.warnings().get(0).contains("no group named 'gatways'"), inventory.warnings().toString());
    }

    @Test
    void aVarsFileThatIsNotAMappingIsAnError() {
        Fixture.write(dir, "group_vars/all.yml", "- a", "- b");
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts", "h1"));
        assertTrue(e.origin().file().endsWith("all.yml"));
    }

    @Test
    void aBadGroupPriorityNamesWhereItWasSet() {
        InputError e = assertThrows(InputError.class, () -> Fixture.load(dir, "hosts", "[g]", "h1", "[g:vars]", "ansible_group_priority=high"));
        assertEquals(4, e.origin().line());
        assertEquals("ansible_group_priority", e.origin().field());
    }
}
