package dev.killswitch.controller.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.controller.cli.KillswitchMain;
import dev.killswitch.controller.history.JdbcHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TunnelVision in the lab: a DHCP-option-121-style route on a gateway, more specific than its wg0 routes, makes
 * {@code drift --once} report a leak-risk even though no firewall rule changed, and the fleet report shows it.
 */
@Tag("netns")
class TunnelVisionLabTest {
    private static final String DETAIL = "route 198.51.100.0/24 via eth0 is more specific than the tunnel's routes "
            + "(TunnelVision, CVE-2024-3661)";
    @TempDir
    static Path dir;
    static E2eLab lab;

    @BeforeAll
    static void up() {
        lab = E2eLab.up(dir, 1);
        CommandRunner.Result r = lab.killswitch("apply", E2eLab.playbook("killswitch.yml"), "--json", "--no-store");
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void aRouteMoreSpecificThanTheTunnelIsReportedAsLeakRiskAndGoneWhenTheRouteIs() throws Exception {
        String store = JdbcHistory.h2Url(dir.resolve("history"));
        CommandRunner.Result clean = drift(store);
        assertEquals(0, clean.exitCode(), clean.stdout() + clean.stderr());
        assertTrue(findings(clean).isEmpty(), clean.stdout());

        exec(lab.inside("gw1", "ip", "route", "add", "198.51.100.0/24", "via", "203.0.113.1", "dev", "eth0"));
        CommandRunner.Result hijacked = drift(store);
        assertEquals(2, hijacked.exitCode(), hijacked.stdout() + hijacked.stderr());
        JsonNode f = findings(hijacked);
        assertEquals(1, f.size(), f.toString());
        assertEquals("leak-risk", f.get(0).get("class").asText());
        assertEquals(DETAIL, f.get(0).get("detail").asText());

        Path page = dir.resolve("report.html");
        assertEquals(0, KillswitchMain.run("report", "--html", page.toString(), "--store", store));
        String html = Files.readString(page);
        assertTrue(html.contains("<li class=\"finding\" data-class=\"leak-risk\"><span class=\"cls k-leak-risk\">"
                + "leak-risk</span><span class=\"detail\">" + DETAIL.replace("'", "&#39;") + "</span>"), html);

        exec(lab.inside("gw1", "ip", "route", "del", "198.51.100.0/24", "via", "203.0.113.1", "dev", "eth0"));
        CommandRunner.Result again = drift(store);
        assertEquals(0, again.exitCode(), again.stdout() + again.stderr());
    }

    private static CommandRunner.Result drift(String store) {
        return lab.killswitch("drift", E2eLab.playbook("killswitch.yml"), "--once", "--json", "--store", store);
    }

    private static JsonNode findings(CommandRunner.Result r) {
        return E2eLab.recap(r).get(0).get("hosts").get("gw1").get("findings");
    }

    private static void exec(List<String> argv) {
        CommandRunner.Result r = E2eLab.run(argv, Duration.ofSeconds(20));
        assertEquals(0, r.exitCode(), argv + ": " + r.stderr());
    }
}
