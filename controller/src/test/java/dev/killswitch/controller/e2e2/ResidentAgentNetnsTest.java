package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.resident.Resident;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --resident-agent}: the first run starts an agent on each gateway and works through it, the next runs plan,
 * apply and confirm through it over the same SSH connections, and the guard still protects the connection the request came in on.
 */
@Tag("netns")
class ResidentAgentNetnsTest {

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2r");

    @Test
    void theFirstRunStartsItAndLaterRunsApplyConfirmAndRefuseThroughIt() throws Exception {
        RolloutLab lab = FIXTURE.lab();
        Path playbook = lab.resource("killswitch.yml");
        String socket = Resident.socket(Path.of("/var/lib/killswitch"), Resident.sha256(RolloutLab.agentJar()))
                .orElseThrow().toString();

        // none runs before: the first run starts one on each gateway and works through it
        RolloutLab.Run first = run(lab, "apply", playbook);
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.stdout().contains("3 changed"), first.toString());
        assertTrue(first.stdout().contains("confirmed by token"), first.toString());
        Map<String, RolloutLab.Snapshot> applied = new HashMap<>();
        for (String gw : RolloutLab.GATEWAYS) {
            assertTrue(first.stdout().contains("[" + gw + "] starting the resident agent"), first.toString());
            assertTrue(first.stdout().contains("[" + gw + "] facts (resident agent)"), first.toString());
            applied.put(gw, lab.snapshot(gw));
            assertTrue(lab.exists(gw, socket), gw + ": the resident agent's socket " + socket);
        }

        RolloutLab.Run rerun = run(lab, "apply", playbook);
        assertEquals(0, rerun.exit(), rerun.toString());
        assertTrue(rerun.stdout().contains("3 ok, 0 changed"), rerun.toString());
        for (String gw : RolloutLab.GATEWAYS) {
            assertTrue(rerun.stdout().contains("[" + gw + "] facts (resident agent)"), rerun.toString());
        }

        lab.reset(); // open again: a changed apply, confirmed by token, all through the resident agent
        RolloutLab.Run again = run(lab, "apply", playbook);
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.stdout().contains("3 changed"), again.toString());
        assertTrue(again.stdout().contains("confirmed by token"), again.toString());
        for (String gw : RolloutLab.GATEWAYS) {
            RolloutLab.Snapshot now = lab.snapshot(gw); // (the backup in its files differs: it says when)
            assertEquals(applied.get(gw).rules(), now.rules(), gw + " holds the rules the first apply left");
            assertEquals(applied.get(gw).sysctls(), now.sysctls(), gw);
        }

        // the guard sees the SSH connection the request came in on, as it does for a command line
        RolloutLab.Run lockout = run(lab, "plan", lab.resource("lockout.yml"));
        assertEquals(1, lockout.exit(), lockout.toString());
        assertTrue(lockout.stdout().contains("(resident agent)"), lockout.toString());
        assertTrue(lockout.stdout().contains("would drop SSH (ssh live flow in 203.0.113.2:"), lockout.toString());
    }

    private static RolloutLab.Run run(RolloutLab lab, String command, Path playbook) {
        return lab.killswitch(command, "-i", lab.inventory().toString(), "--known-hosts", lab.knownHosts().toString(),
                "--no-color", "--resident-agent", "--resident-idle", "60", playbook.toString());
    }
}
