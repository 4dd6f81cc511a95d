package dev.killswitch.controller.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.lab.ProbeKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift in the lab: a rule opened by hand on gw1 is a real leak (the sink sees it) and is classified
 * leak-risk; a Docker-like chain on gw2 is foreign; --remediate closes the leak and a second check is clean.
 */
@Tag("netns")
class DriftLabTest {
    @TempDir
    static Path dir;
    static E2eLab lab;

    @BeforeAll
    static void up() {
        lab = E2eLab.up(dir, 2);
        CommandRunner.Result r = lab.killswitch("apply", E2eLab.playbook("killswitch.yml"), "--json");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void handMadeLeakIsLeakRiskForeignChainIsForeignAndRemediationClosesTheLeak() throws Exception {
        exec(lab.inside("gw1", "iptables", "-I", "OUTPUT", "-o", "eth0", "-j", "ACCEPT"));
        exec(lab.inside("gw2", "iptables", "-N", "DOCKER"));
        exec(lab.inside("gw2", "iptables", "-A", "DOCKER", "-j", "RETURN"));

        lab.lab().resetCounters();
        lab.lab().probe("gw1", ProbeKind.UDP_53);
        assertTrue(lab.awaitSink(c -> c.leaked(lab.host("gw1")) > 0).leaked(lab.host("gw1")) > 0,
                "the hand-made rule really leaks");

        CommandRunner.Result check = lab.killswitch("drift", E2eLab.playbook("killswitch.yml"), "--once", "--json");
        assertEquals(2, check.exitCode(), check.stdout() + check.stderr());
        JsonNode hosts = E2eLab.recap(check).get(0).get("hosts");
        assertTrue(classes(hosts.get("gw1")).contains("leak-risk"), hosts.toString());
        assertEquals(List.of("foreign"), classes(hosts.get("gw2")), hosts.toString());

        CommandRunner.Result fix = lab.killswitch("drift", E2eLab.playbook("killswitch.yml"), "--once", "--remediate",
                "--json");
        assertTrue(fix.exitCode() == 2 || fix.exitCode() == 0, fix.stdout() + fix.stderr());
        lab.lab().resetCounters();
        lab.lab().probe("gw1", ProbeKind.UDP_53);
        Thread.sleep(300);
        assertEquals(0, lab.lab().sinkCounts().leaked(lab.host("gw1")), "the leak is gone after remediation");

        exec(lab.inside("gw2", "iptables", "-F", "DOCKER"));
        exec(lab.inside("gw2", "iptables", "-X", "DOCKER"));
        CommandRunner.Result again = lab.killswitch("drift", E2eLab.playbook("killswitch.yml"), "--once");
        assertEquals(0, again.exitCode(), again.stdout() + again.stderr());
    }

    private static List<String> classes(JsonNode host) {
        List<String> out = new ArrayList<>();
        host.get("findings").forEach(f -> out.add(f.get("class").asText()));
        return out;
    }

    private static void exec(List<String> argv) {
        CommandRunner.Result r = E2eLab.run(argv, Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), argv + ": " + r.stderr());
    }
}
