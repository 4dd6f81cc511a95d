package dev.killswitch.agent.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.agent.observe.CommandRunner;
import dev.killswitch.agent.testing.AgentProcess;
import dev.killswitch.agent.testing.Gateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Commit-confirmed applies: the watchdog rolls back unless confirmed, even when the invoker dies. */
@Tag("netns")
class CommitConfirmTest {
    static final Map<String, String> SSH = Map.of("SSH_CONNECTION", Gateway.SSH_CONNECTION);

    @Test
    void anUnconfirmedApplyIsRolledBackInTimeEvenAfterTheInvokerWasKilled() throws Exception {
        try (Gateway gw = new Gateway("wd")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            String before = gw.rules();
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            // the invoker: a shell that runs apply and then lingers, like an SSH session; it is killed
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", gw.ns.name(), "sh", "-c",
                    "\"$@\"; echo applied; sleep 60", "sh"));
            argv.addAll(AgentProcess.argv(SSH, "apply", "--confirm-timeout", "3", "--desired", desired.toString(),
                    "--state-dir", gw.stateDir.toString()));
            Process invoker = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = readUntil(invoker, "applied");
            long appliedAt = System.nanoTime();
            assertNotEquals(before, gw.rules(), "applied: " + out);
            assertTrue(Files.exists(gw.stateDir.resolve("pending.json")));
            invoker.descendants().forEach(ProcessHandle::destroyForcibly);
            invoker.destroyForcibly().waitFor();

            // the watchdog restores, then removes the pending record: wait for both (a look between the two saw
            // the rules back and the record still there)
            while (!gw.rules().equals(before) || Files.exists(gw.stateDir.resolve("pending.json"))) {
                assertTrue(System.nanoTime() - appliedAt < TimeUnit.SECONDS.toNanos(3 + 2),
                        "rolled back within timeout + 2 s");
                Thread.sleep(100);
            }
            double took = (System.nanoTime() - appliedAt) / 1e9;
            assertTrue(took >= 2.5, "not before the deadline: " + took);
        }
    }

    @Test
    void confirmKeepsTheApplyAndStopsTheWatchdog() throws Exception {
        try (Gateway gw = new Gateway("cf")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml")
                    .replace("guards:", "persist: {rules_v4: " + gw.stateDir.resolve("etc/rules.v4") + "}\nguards:"));
            // long enough that a loaded CI machine still starts the confirming JVM in time
            CommandRunner.Result a = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--confirm-timeout", "8",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(0, a.exitCode(), a.stderr());
            String applied = gw.rules();
            assertTrue(!Files.exists(gw.stateDir.resolve("etc/rules.v4")), "persistence waits for the confirmation");
            CommandRunner.Result c = AgentProcess.run(gw.ns, null, "confirm", "--state-dir", gw.stateDir.toString());
            assertEquals(0, c.exitCode(), c.stderr());
            // "nothing to confirm" here means the confirming JVM started after the 8 s deadline (seen at load ~24)
            assertTrue(Files.exists(gw.stateDir.resolve("etc/rules.v4")), () -> "persisted on confirm; confirm said: "
                    + c.stdout().strip());
            Thread.sleep(9000);
            assertEquals(applied, gw.rules(), "still applied after the deadline");
        }
    }

    @Test
    void anAwaitingApplyConfirmsInItsOwnProcessWhenTheTokenArrivesAndPersistsThen() throws Exception {
        try (Gateway gw = new Gateway("tk")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            Path persisted = gw.stateDir.resolve("etc/rules.v4");
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml")
                    .replace("guards:", "persist: {rules_v4: " + persisted + "}\nguards:"));
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", gw.ns.name()));
            argv.addAll(AgentProcess.argv(SSH, "apply", "--json", "--confirm-timeout", "20", "--await-confirm",
                    "--desired", desired.toString(), "--state-dir", gw.stateDir.toString()));
            // stderr kept, so that an agent that is gone says why
            Path stderr = gw.stateDir.resolve("test-agent.err");
            Process agent = new ProcessBuilder(argv).redirectError(stderr.toFile()).start();
            String reportLine = readUntil(agent, "\n");
            String id = dev.killswitch.agent.report.Json.MAPPER.readTree(reportLine).path("confirm").path("id").asText();
            String applied = gw.rules();
            assertTrue(agent.isAlive(), () -> "the agent waits for its token; its report: " + reportLine
                    + "; its stderr: " + readQuietly(stderr));
            assertTrue(!Files.exists(persisted), "persistence waits for the confirmation");
            Files.writeString(gw.stateDir.resolve(StateDir.confirmTokenName(id)), id + "\n");
            assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "confirmed soon after the token");
            assertEquals(0, agent.exitValue());
            assertEquals("confirmed " + id, new String(agent.getInputStream().readAllBytes()).strip());
            assertTrue(Files.exists(persisted), "persisted on confirm");
            assertTrue(!Files.exists(gw.stateDir.resolve("pending.json")));
            assertTrue(!Files.exists(gw.stateDir.resolve(StateDir.confirmTokenName(id))), "the token is used up");
            assertEquals(applied, gw.rules());
        }
    }

    @Test
    void anAwaitingApplyWithoutItsTokenEndsAtTheDeadlineAndIsRolledBack() throws Exception {
        try (Gateway gw = new Gateway("tn")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            String before = gw.rules();
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            CommandRunner.Result a = AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--json", "--confirm-timeout",
                    "3", "--await-confirm", "--desired", desired.toString(), "--state-dir", gw.stateDir.toString());
            assertEquals(1, a.exitCode(), a.stdout());
            assertTrue(a.stderr().contains("not confirmed by the deadline"), a.stderr());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!gw.rules().equals(before)) {
                assertTrue(System.nanoTime() < end, "the watchdog rolls back");
                Thread.sleep(100);
            }
        }
    }

    @Test
    void rollbackRestoresThePreviousRulesAtOnce() throws Exception {
        try (Gateway gw = new Gateway("rb")) {
            gw.ns.restore(Gateway.resource("killswitch/seed.rules"), false);
            String before = gw.rules();
            Path desired = gw.file("desired.yaml", Gateway.resource("killswitch/desired.yaml"));
            assertEquals(0, AgentProcess.runWithEnv(gw.ns, SSH, null, "apply", "--desired", desired.toString(),
                    "--state-dir", gw.stateDir.toString()).exitCode());
            assertNotEquals(before, gw.rules());
            CommandRunner.Result r = AgentProcess.run(gw.ns, null, "rollback", "--state-dir", gw.stateDir.toString());
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(before, gw.rules());
        }
    }

    private static String readUntil(Process p, String marker) throws Exception {
        StringBuilder sb = new StringBuilder();
        var in = p.getInputStream();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // only the tail can newly hold the marker, and the failure message is built only on failure: copying the
        // whole text per byte was quadratic, and reading the 40 KB report line that way outlasted the agent's
        // 20 s confirm window at load ~24
        while (sb.indexOf(marker, Math.max(0, sb.length() - marker.length())) < 0) {
            assertTrue(System.nanoTime() < end, () -> "no '" + marker + "' from the invoker: " + sb); // lazily: per byte
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("invoker ended: " + sb);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
