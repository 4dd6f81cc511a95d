package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The seed's kill switch, fixed, converges safely from an open host and from the seed's own rules. */
@Tag("netns")
class KillSwitchConvergeTest {

    static final Map<String, String> SSH = Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION);

    @Test
    void convergesFromAnOpenHostWithEveryStepGuarded() throws Exception {
        try (Gateway gw = new Gateway("conv")) {
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            JsonNode plan = json(AgentProcess.runWithEnv(gw.ns, SSH, null, "plan", "--json",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString()), 2);
            assertEveryStepGuarded(plan, true);
            assertEquals("GUARD", plan.get("steps").get(0).get("phase").asText(), "SSH rules come first");

            JsonNode applied = json(AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--json",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString()), 0);
            assertTrue(applied.get("changed").asBoolean());
            assertEveryStepGuarded(applied, true);
            assertTrue(gw.ns.save(true).contains(":OUTPUT DROP"), "IPv6 is blocked by ip6tables, not only sysctl");
            assertEquals("1", gw.ns.ok(List.of("sysctl", "-n", "net.ipv6.conf.all.disable_ipv6")).trim());

            JsonNode again = json(AgentProcess.runWithEnv(gw.ns, SSH, null, "plan", "--json",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString()), 0);
            assertFalse(again.get("changed").asBoolean());
            assertEquals(0, again.get("steps").size());
        }
    }

    @Test
    void convergesFromTheSeedsRulesWithoutOpeningAnything() throws Exception {
        try (Gateway gw = new Gateway("seed")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            JsonNode applied = json(AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--json",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString()), 0);
            assertEveryStepGuarded(applied, false);
            assertFalse(gw.ns.save(false).contains("--sport 22 -j ACCEPT"), "the source-port-22 hole is gone");
            json(AgentProcess.runWithEnv(gw.ns, SSH, null, "plan", "--json", "--desired", desired.toString(),
                    "--state-dir", gw.stateDir.toString()), 0);
        }
    }

    @Test
    void refusesADesiredStateWithoutTheSshRules() throws Exception {
        try (Gateway gw = new Gateway("lock")) {
            String yaml = Gateway.resource("killswitch/desired.yaml")
                    .replace("        - -i eth0 -s 203.0.113.0/24 -p tcp --dport 22 -j ACCEPT\n", "");
            Path desired = gw.file("nossh.yaml", yaml);
            String before = gw.rules();
            CommandRunner.Result plan = AgentProcess.runWithEnv(gw.ns, SSH, null, "plan",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, plan.exitCode(), plan.stdout() + plan.stderr());
            assertTrue(plan.stderr().contains("would drop SSH"), plan.stderr());
            assertTrue(plan.stderr().contains("policy of INPUT"), "names the deciding rule: " + plan.stderr());
            CommandRunner.Result apply = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, apply.exitCode(), apply.stdout() + apply.stderr());
            assertTrue(apply.stderr().contains("would drop SSH"), apply.stderr());
            assertEquals(before, gw.rules(), "a refused plan changes nothing");
        }
    }

    /**
     * SSH is accepted after every step; no step breaks an invariant that held before it; every invariant
     * holds at the end. With {@code fromLockdown}, an invariant of a family holds from that family's
     * lock-down step on (before it, that family is still as open as the live host was).
     */
    static void assertEveryStepGuarded(JsonNode report, boolean fromLockdown) {
        assertTrue(report.get("guard").get("passed").asBoolean(), report.get("guard").toString());
        assertTrue(report.get("steps").size() > 0);
        List<String> checks = Json.MAPPER.convertValue(report.get("guard").get("checks"),
                Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
        assertTrue(checks.stream().anyMatch(c -> c.startsWith("ssh live flow in")), checks.toString());
        assertTrue(checks.stream().anyMatch(c -> c.startsWith("expect[0] deny")), checks.toString());
        java.util.Set<String> locked = new java.util.HashSet<>();
        JsonNode last = null;
        for (JsonNode step : report.get("steps")) {
            assertTrue(step.get("guardOk").asBoolean(), step.toString());
            if (step.get("action").asText().equals("lockdown")) {
                locked.add(step.get("family").asText());
            }
            for (JsonNode v : step.get("verdicts")) {
                String check = v.get("check").asText();
                if (check.startsWith("ssh")) {
                    assertEquals("ACCEPT", v.get("verdict").asText(), "SSH stays accepted at " + step);
                }
                if (fromLockdown && check.startsWith("expect") && locked.stream().anyMatch(f -> check.contains(" " + f + " "))) {
                    assertTrue(v.get("ok").asBoolean(), "invariant proved at " + step + ": " + v);
                }
            }
            last = step;
        }
        if (fromLockdown) {
            assertEquals(java.util.Set.of("ipv4", "ipv6"), locked, "both families are locked down");
        }
        for (JsonNode v : last.get("verdicts")) {
            assertTrue(v.get("ok").asBoolean(), "holds at the end: " + v);
        }
    }

    static JsonNode json(CommandRunner.Result r, int exit) throws Exception {
        assertEquals(exit, r.exitCode(), "exit code; stderr: " + r.stderr() + "\nstdout: " + r.stdout());
        return Json.MAPPER.readTree(r.stdout());
    }
}
