package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The canary (first batch of serial [1, "100%"]) cannot be reached: the rollout stops after batch 1, the recap says
 * why, and the other gateways are not touched.
 */
@Tag("netns")
class CanaryUnreachableNetnsTest {

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2c");
    static RolloutLab lab;
    static Path playbook;
    static Path inventory;

    @BeforeAll
    static void files() {
        lab = FIXTURE.lab();
        playbook = lab.resource("killswitch.yml");
        // a copy of the lab's inventory in which gw1, the first host of the play, points to a dead port
        ObjectNode inv = lab.inventoryTree();
        RolloutLab.hostVars(inv, "gw1").put("ansible_port", RolloutLab.deadPort());
        inventory = lab.write("dead-canary/hosts.yml", inv);
    }

    @Test
    void anUnreachableCanaryStopsTheRolloutAfterBatchOneAndTheRecapSaysWhy() {
        RolloutLab.Run run = lab.killswitch("apply", "-i", inventory.toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", playbook.toString());

        assertEquals(1, run.exit(), run.toString());
        String out = run.stdout();
        assertTrue(out.contains("BATCH 1/2 (canary): gw1"), run.toString());
        assertFalse(out.contains("BATCH 2/2"), "batch 2 never starts: " + run);
        assertTrue(run.recapLine("gw1").contains("unreachable=1"), run.toString());
        assertTrue(run.recapLine("gw2").contains("skipped=1"), run.toString());
        assertTrue(run.recapLine("gw3").contains("skipped=1"), run.toString());
        assertTrue(out.contains("gw1: host gw1 (127.0.0.1:"), run.toString());
        assertTrue(out.contains("connection refused"), run.toString());
        assertTrue(out.contains("STOPPED: 1 of 1 host(s) failed in batch 1 (100% > max_fail_percentage 0%)"),
                run.toString());
        assertTrue(out.contains("3 host(s) in"), run.toString());
        assertTrue(out.contains("0 ok, 0 changed, 0 failed, 1 unreachable, 0 rolled back, 2 skipped"), run.toString());
        assertNothingChanged();
    }

    @Test
    void theJsonRecapSaysTheRolloutStoppedAfterTheCanaryBecauseAnUnreachableHostCountsAsFailed() {
        RolloutLab.Run run = lab.killswitch("apply", "-i", inventory.toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", playbook.toString());

        assertEquals(1, run.exit(), run.toString());
        JsonNode recap = run.json();
        assertEquals("killswitch.recap/v1", recap.path("schema").asText());
        assertTrue(recap.path("stopped").asBoolean(), run.toString());
        String reason = recap.path("stopReason").asText();
        assertTrue(reason.contains("failed in batch 1") && reason.contains("max_fail_percentage 0%"), reason);
        assertEquals("unreachable", run.host("gw1").path("status").asText());
        assertTrue(run.host("gw1").path("message").asText().contains("connection refused"), run.toString());
        for (String gw : new String[] {"gw2", "gw3"}) {
            assertEquals("skipped", run.host(gw).path("status").asText(), run.toString());
            assertEquals("not attempted: " + reason, run.host(gw).path("message").asText());
        }
        JsonNode counts = recap.path("counts");
        assertEquals(1, counts.path("unreachable").asInt());
        assertEquals(2, counts.path("skipped").asInt());
        assertEquals(0, counts.path("changed").asInt() + counts.path("ok").asInt() + counts.path("failed").asInt());
        assertNothingChanged();
    }

    @Test
    void aFiftyPercentThresholdStillStopsTheRolloutWhenTheOnlyCanaryIsUnreachable() throws Exception {
        // one canary is 100% of its batch, more than any threshold below 100
        Path lenient = lab.dir.resolve("lenient.yml");
        Files.writeString(lenient, Files.readString(playbook).replace("max_fail_percentage: 0",
                "max_fail_percentage: 50"));

        RolloutLab.Run run = lab.killswitch("apply", "-i", inventory.toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", lenient.toString());

        assertEquals(1, run.exit(), run.toString());
        assertTrue(run.json().path("stopReason").asText().contains("(100% > max_fail_percentage 50%)"), run.toString());
        assertEquals("skipped", run.host("gw2").path("status").asText());
        assertEquals("skipped", run.host("gw3").path("status").asText());
        assertNothingChanged();
    }

    private static void assertNothingChanged() {
        for (String gw : RolloutLab.GATEWAYS) {
            assertEquals(FIXTURE.before(gw), lab.snapshot(gw), gw + " must be exactly as before");
        }
    }
}
