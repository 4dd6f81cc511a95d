package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator's Ansible inventory as is: INI with [group:vars] and [group:children], group_vars/ and host_vars/
 * beside it, {@code --limit} and {@code -e}. Only the limited gateways change, and each gets the rules its
 * variables say (host_vars over group_vars over group_vars/all, -e over everything).
 */
@Tag("netns")
class AnsibleInventoryNetnsTest {

    static final String SSH_FROM_NETWORK = "-A INPUT -s 203.0.113.0/24 -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT";
    static final String SSH_FROM_WORKSTATION = "-A INPUT -s 203.0.113.2/32 -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT";

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2i");
    static RolloutLab lab;
    static Path inventory;
    static Path playbook;

    @BeforeAll
    static void files() throws Exception {
        lab = FIXTURE.lab();
        for (String f : List.of("group_vars/all.yml", "group_vars/gateways.yml", "host_vars/gw2.yml")) {
            lab.resource("ansible/" + f);
        }
        playbook = lab.resource("ansible/playbook.yml");
        inventory = lab.resource("ansible/hosts.ini");
        String ini = Files.readString(inventory).replace("@KEY@", lab.lab.clientKey().toString());
        for (String gw : RolloutLab.GATEWAYS) {
            ini = ini.replace("@PORT_" + gw + "@", String.valueOf(lab.lab.host(gw).sshPort()));
        }
        Files.writeString(inventory, ini);
    }

    @Test
    void anIniInventoryWithGroupAndHostVarsLimitAndExtraVarsChangesOnlyTheLimitedHostsAsTheirVariablesSay() {
        RolloutLab.Run run = lab.killswitch("apply", "-i", inventory.toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--limit", "gateways:!gw3", "-e", "ssh_alt_port=2222",
                playbook.toString());

        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of("gw1", "gw2"), hosts(run.json()), "--limit gateways:!gw3");
        assertEquals("changed", run.host("gw1").path("status").asText());
        assertEquals("changed", run.host("gw2").path("status").asText());
        assertEquals(FIXTURE.before("gw3"), lab.snapshot("gw3"), "gw3 is limited out and untouched");

        String gw1 = lab.snapshot("gw1").rules();
        String gw2 = lab.snapshot("gw2").rules();
        // group_vars/gateways.yml over group_vars/all.yml (all says 0.0.0.0/0 and user nobody)
        assertTrue(gw1.contains(SSH_FROM_NETWORK), gw1);
        // host_vars/gw2.yml over group_vars
        assertTrue(gw2.contains(SSH_FROM_WORKSTATION), gw2);
        assertFalse(gw2.contains("203.0.113.0/24"), gw2);
        for (String rules : List.of(gw1, gw2)) {
            assertFalse(rules.contains("0.0.0.0/0"), rules);
            // -e over group_vars' ssh_alt_port 2200
            assertTrue(rules.contains("-p tcp -m tcp --dport 2222 -j ACCEPT"), rules);
            assertFalse(rules.contains("2200"), rules);
        }
    }

    @Test
    void globsExclusionsAndAnExtraVarsFileSelectAndFeedThePlan() throws Exception {
        Path extra = lab.dir.resolve("extra.yml");
        Files.writeString(extra, "ssh_alt_port: 2201\n");

        RolloutLab.Run run = lab.killswitch("plan", "-i", inventory.toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", "--limit", "gw*:!gw1", "-e", "@" + extra, playbook.toString());

        assertEquals(2, run.exit(), run.toString());
        String out = run.stdout();
        assertTrue(out.contains("--- gw2 (") && out.contains("--- gw3 ("), run.toString());
        assertFalse(out.contains("--- gw1 ("), run.toString());
        assertTrue(out.contains("--dport 2201 -j ACCEPT"), run.toString());
        for (String gw : RolloutLab.GATEWAYS) {
            assertEquals(FIXTURE.before(gw), lab.snapshot(gw), "a plan changes nothing on " + gw);
        }
    }

    private static List<String> hosts(JsonNode recap) {
        List<String> out = new ArrayList<>();
        recap.path("hosts").forEach(h -> out.add(h.path("host").asText()));
        return out;
    }
}
