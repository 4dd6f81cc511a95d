package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.observe.Facts;
import dev.killswitch.agent.report.Json;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** With --facts-first, one agent call tells the controller the facts and then plans what it renders from them. */
@Tag("netns")
class FactsFirstTest {

    @Test
    void planPrintsTheFactsOnOneLineBeforeItReadsTheDesiredStateAndThenItsReport() throws Exception {
        try (Gateway gw = new Gateway("ff")) {
            CommandRunner.Result r = AgentProcess.runWithEnv(gw.ns, Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION),
                    Gateway.resource("killswitch/desired.yaml"), "plan", "--json", "--facts-first", "--desired", "-",
                    "--state-dir", gw.stateDir.toString());
            assertEquals(2, r.exitCode(), r.stderr());
            int nl = r.stdout().indexOf('\n');
            Facts facts = Json.MAPPER.readValue(r.stdout().substring(0, nl), Facts.class);
            assertTrue(facts.addresses().get("eth0").contains("203.0.113.11/24"), facts.addresses().toString());
            assertEquals(Gateway.SSH_CONNECTION, facts.sshConnection());
            JsonNode report = Json.MAPPER.readTree(r.stdout().substring(nl + 1));
            assertEquals("plan", report.path("command").asText());
            assertTrue(report.path("changed").asBoolean());
        }
    }

    @Test
    void factsFirstNeedsTheDesiredStateOnStandardInput() throws Exception {
        try (Gateway gw = new Gateway("fx")) {
            CommandRunner.Result r = AgentProcess.run(gw.ns, null, "plan", "--facts-first", "--desired",
                    gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml")).toString());
            assertEquals(1, r.exitCode());
            assertTrue(r.stderr().contains("--facts-first needs --desired -"), r.stderr());
        }
    }
}
