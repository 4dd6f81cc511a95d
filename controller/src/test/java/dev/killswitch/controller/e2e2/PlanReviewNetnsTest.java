package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code plan -o FILE} then {@code apply FILE}: the reviewed plan is applied exactly, a gateway changed by hand in
 * between is refused as stale and left alone, and the others proceed, confirmed by token as a one-go apply is.
 */
@Tag("netns")
class PlanReviewNetnsTest {

    static final List<String> BY_HAND = List.of("iptables", "-I", "INPUT", "-s", "192.0.2.99", "-j", "DROP");

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2p");
    static RolloutLab lab;
    static Path playbook;

    @BeforeAll
    static void files() {
        lab = FIXTURE.lab();
        playbook = lab.resource("killswitch.yml");
    }

    @Test
    void aSavedPlanIsAppliedExactlyExceptOnAHostChangedByHandWhichIsRefusedAsStale() throws Exception {
        Path saved = lab.dir.resolve("review.plan");
        RolloutLab.Run plan = lab.killswitch("plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", playbook.toString(), "-o", saved.toString());
        assertEquals(2, plan.exit(), "changes pending: " + plan);
        assertTrue(plan.stdout().contains("Plan saved to " + saved + " (3 host(s))"), plan.toString());
        JsonNode reviewed = RolloutLab.JSON.readTree(saved.toFile());
        assertEquals("killswitch.plan/v1", reviewed.path("schema").asText());

        // someone edits gw2 by hand after the review
        lab.changeByHand("gw2", BY_HAND, null);
        RolloutLab.Snapshot gw2ByHand = lab.snapshot("gw2");
        assertTrue(gw2ByHand.rules().contains("-A INPUT -s 192.0.2.99/32 -j DROP"), gw2ByHand.rules());

        RolloutLab.Run apply = lab.killswitch("apply", saved.toString(), "--known-hosts", lab.knownHosts().toString(),
                "--json");

        assertEquals(1, apply.exit(), apply.toString());
        assertEquals("failed", apply.host("gw2").path("status").asText(), apply.toString());
        String why = apply.host("gw2").path("message").asText();
        assertTrue(why.startsWith("plan is stale: the live state is now sha256:"), why);
        assertTrue(why.contains("but the plan was made from " + savedHost(reviewed, "gw2").path("fingerprint").asText()),
                why);
        assertEquals(gw2ByHand, lab.snapshot("gw2"), "the stale host is left exactly as it was");
        for (String gw : List.of("gw1", "gw3")) {
            JsonNode h = apply.host(gw);
            assertEquals("changed", h.path("status").asText(), apply.toString());
            assertEquals(savedHost(reviewed, gw).path("fingerprint").asText(), h.path("fingerprint").asText(),
                    gw + " was applied from the state it was reviewed in");
            assertEquals(plannedSteps(plan, gw), h.path("steps").asInt(), gw + ": the reviewed number of steps");
            // the applying agent confirmed on the token the controller wrote over a fresh connection: no second
            // agent JVM ('confirm') that a loaded host might start only after the deadline
            assertEquals(plannedSteps(plan, gw) + " step(s), confirmed by token", h.path("message").asText(),
                    apply.toString());
            assertEquals(List.of(), confirmTokens(gw), gw + ": the used token is gone");
        }

        // applied exactly as planned: a new plan finds gw1 and gw3 already as desired, and renders for them what
        // the reviewed plan holds
        Path again = lab.dir.resolve("again.plan");
        RolloutLab.Run check = lab.killswitch("plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--limit", "gw1:gw3", playbook.toString(), "-o",
                again.toString());
        assertEquals(0, check.exit(), "no changes left: " + check);
        assertEquals("ok", check.host("gw1").path("status").asText());
        assertEquals("ok", check.host("gw3").path("status").asText());
        JsonNode replanned = RolloutLab.JSON.readTree(again.toFile());
        for (String gw : List.of("gw1", "gw3")) {
            assertEquals(savedHost(reviewed, gw).path("desired").asText(), savedHost(replanned, gw).path("desired")
                    .asText(), gw + ": the reviewed desired state");
            assertTrue(lab.snapshot(gw).lockedDown(), gw);
        }
    }

    @Test
    void aSavedPlanCannotBeAppliedTwice() throws Exception {
        Path saved = lab.dir.resolve("once.plan");
        RolloutLab.Run plan = lab.killswitch("plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--limit", "gw3", playbook.toString(), "-o", saved.toString());
        assertEquals(2, plan.exit(), plan.toString());
        RolloutLab.Run first = lab.killswitch("apply", saved.toString(), "--known-hosts", lab.knownHosts().toString(),
                "--json");
        assertEquals(0, first.exit(), first.toString());
        RolloutLab.Snapshot applied = lab.snapshot("gw3");

        RolloutLab.Run second = lab.killswitch("apply", saved.toString(), "--known-hosts", lab.knownHosts().toString(),
                "--json");

        assertEquals(1, second.exit(), second.toString());
        assertTrue(second.host("gw3").path("message").asText().startsWith("plan is stale"), second.toString());
        assertEquals(applied, lab.snapshot("gw3"));
    }

    /** The confirmation tokens left in {@code gw}'s state dir. */
    private static List<String> confirmTokens(String gw) {
        return lab.lab.exec(gw, List.of("ls", "-A", "/var/lib/killswitch")).stdout().lines()
                .filter(f -> f.startsWith("confirm-")).toList();
    }

    private static JsonNode savedHost(JsonNode plan, String gw) {
        for (JsonNode h : plan.path("hosts")) {
            if (h.path("host").asText().equals(gw)) {
                return h;
            }
        }
        throw new AssertionError("no " + gw + " in the saved plan: " + plan);
    }

    /** The number of steps {@code plan} printed for {@code gw} ("[gw1] changed: 14 step(s) pending"). */
    private static int plannedSteps(RolloutLab.Run plan, String gw) {
        String prefix = "  [" + gw + "] changed: ";
        String line = plan.stdout().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no plan line for " + gw + ": " + plan));
        return Integer.parseInt(line.substring(prefix.length(), line.indexOf(" step(s)")));
    }
}
