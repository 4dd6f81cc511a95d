package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A playbook whose kill switch has no SSH for the operator (sources 192.0.2.1/32, the operator is 203.0.113.2): the
 * guard refuses it at plan and at apply; forced through, the host rolls itself back because the controller cannot
 * confirm, and SSH works again.
 */
@Tag("netns")
class SshLockoutNetnsTest {

    static final int CONFIRM_TIMEOUT = 5;
    /** Slack for the watchdog's restore on a loaded two-core machine. */
    static final double SLACK_SECONDS = 5;

    @RegisterExtension
    static final LabFixture FIXTURE = new LabFixture("r2l");
    static RolloutLab lab;
    static Path lockout;
    static Path baseline;

    @BeforeAll
    static void files() {
        lab = FIXTURE.lab();
        lockout = lab.resource("lockout.yml");
        baseline = lab.resource("killswitch.yml");
    }

    @Test
    void planRefusesAPlaybookThatWouldDropTheOperatorsSsh() {
        RolloutLab.Run run = lab.killswitch("plan", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", "--limit", "gw2", lockout.toString());

        assertEquals(1, run.exit(), run.toString());
        String out = run.stdout();
        assertTrue(run.recapLine("gw2").contains("failed=1"), run.toString());
        assertTrue(out.contains("<-- GUARD FAILS"), run.toString());
        assertTrue(out.contains("guard: REFUSED"), run.toString());
        assertTrue(out.contains("would drop SSH (ssh live flow in 203.0.113.2:"), run.toString());
        assertTrue(out.contains("would drop SSH (ssh new connection from 203.0.113.2 to port 22)"), run.toString());
        assertTrue(out.contains("(use --force to override)"), run.toString());
        assertEquals(FIXTURE.before("gw2"), lab.snapshot("gw2"));
    }

    @Test
    void applyRefusesItAndTheHostStaysAsItWas() {
        RolloutLab.Run run = lab.killswitch("apply", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", lockout.toString());

        assertEquals(1, run.exit(), run.toString());
        assertEquals("failed", run.host("gw1").path("status").asText(), run.toString());
        String message = run.host("gw1").path("message").asText();
        assertTrue(message.startsWith("refused: ") && message.contains("would drop SSH (ssh live flow in 203.0.113.2:"),
                message);
        assertFalse(run.host("gw1").path("report").path("guard").path("passed").asBoolean(true), run.toString());
        // the canary was refused, so the rollout stopped there
        assertEquals("skipped", run.host("gw2").path("status").asText());
        assertEquals("skipped", run.host("gw3").path("status").asText());
        for (String gw : RolloutLab.GATEWAYS) {
            assertEquals(FIXTURE.before(gw), lab.snapshot(gw), gw + " must be exactly as before");
        }
    }

    @Test
    void forcedThroughItLocksSshOutUntilTheHostRollsItselfBackBecauseTheControllerCannotConfirm() throws Exception {
        assertTrue(lab.sshWorks("gw1"), "SSH works before");
        RolloutLab.Started apply = lab.start("apply", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--no-color", "--force", "--confirm-timeout",
                String.valueOf(CONFIRM_TIMEOUT), lockout.toString());

        // watch gw1 (the canary) from inside its namespace: the lockout lands, then goes away by itself
        long lockedAt = awaitLockdown("gw1", apply);
        RolloutLab.Snapshot locked = lab.snapshot("gw1");
        assertTrue(locked.rules().contains("-A INPUT -s 192.0.2.1/32 -i eth0 -p tcp -m tcp --dport 22 -j ACCEPT"),
                locked.rules());
        boolean sshDuringLockout = lab.sshWorks("gw1", 2);
        double lockoutSeenAfter = (System.nanoTime() - lockedAt) / 1e9;
        double lockoutSeconds = awaitRollback("gw1", lockedAt, CONFIRM_TIMEOUT);
        RolloutLab.Run run = lab.await(apply);
        System.out.printf("gw1 locked out for %.1f s (confirm timeout %d s); a new SSH login %.1f s into it %s%n",
                lockoutSeconds, CONFIRM_TIMEOUT, lockoutSeenAfter, sshDuringLockout ? "worked" : "failed");

        if (lockoutSeenAfter < CONFIRM_TIMEOUT - 2) { // the attempt ended well before the watchdog's deadline
            assertFalse(sshDuringLockout, "a new SSH connection is refused while the lockout is in place");
        }
        assertTrue(lockoutSeconds > CONFIRM_TIMEOUT - 1.5, "rolled back by the watchdog at its deadline, not before: "
                + lockoutSeconds + " s");
        RolloutLab.Snapshot after = lab.snapshot("gw1");
        assertEquals(FIXTURE.before("gw1").rules(), after.rules(), "the rules from before the apply");
        assertEquals(FIXTURE.before("gw1").sysctls(), after.sysctls(), "IPv6 sysctls as before");
        assertFalse(lab.exists("gw1", "/var/lib/killswitch/pending.json"), "nothing is pending any more");
        for (String file : RolloutLab.PERSISTED) {
            assertFalse(lab.exists("gw1", file), "an unconfirmed apply is never persisted: " + file);
        }
        assertTrue(lab.sshWorks("gw1"), "a new SSH connection works again");

        assertEquals(1, run.exit(), run.toString());
        String out = run.stdout();
        assertTrue(out.contains("[gw1] applied "), run.toString());
        assertTrue(run.recapLine("gw1").contains("rolled_back=1"), run.toString());
        assertTrue(run.recapLine("gw1").contains("changed=0"), run.toString());
        // the lockout also held the apply's own answer until the rollback: the agent stopped waiting for its
        // confirmation token at the deadline, and the watchdog rolled back
        assertTrue(out.contains("gw1: confirm refused (not confirmed by the deadline: the watchdog rolls back)"),
                run.toString());
        assertTrue(out.contains("STOPPED: 1 of 1 host(s) failed in batch 1"), run.toString());
        assertTrue(run.recapLine("gw2").contains("skipped=1") && run.recapLine("gw3").contains("skipped=1"),
                run.toString());
        assertEquals(FIXTURE.before("gw2"), lab.snapshot("gw2"));
        assertEquals(FIXTURE.before("gw3"), lab.snapshot("gw3"));

        // and the controller gets on with the host: the right playbook goes through and is confirmed
        RolloutLab.Run fixed = lab.killswitch("apply", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--limit", "gw1", baseline.toString());
        assertEquals(0, fixed.exit(), fixed.toString());
        assertEquals("changed", fixed.host("gw1").path("status").asText(), fixed.toString());
    }

    @Test
    void whenOnlyTheLiveSessionSurvivesTheControllerCannotReconnectToConfirmAndTheHostRollsBack() throws Exception {
        int confirmTimeout = 20;
        RolloutLab.Started apply = lab.start("apply", "-i", lab.inventory().toString(), "--known-hosts",
                lab.knownHosts().toString(), "--json", "--force", "--confirm-timeout", String.valueOf(confirmTimeout),
                "--connect-timeout", "3", "--limit", "gw2", lab.resource("keeps-session.yml").toString());

        long lockedAt = awaitLockdown("gw2", apply);
        RolloutLab.Run run = lab.await(apply);
        double recapAfter = (System.nanoTime() - lockedAt) / 1e9;
        boolean stillLocked = lab.snapshot("gw2").lockedDown();
        double lockoutSeconds = awaitRollback("gw2", lockedAt, confirmTimeout);
        System.out.printf("gw2: recap %.1f s into the lockout, rolled back after %.1f s (confirm timeout %d s)%n",
                recapAfter, lockoutSeconds, confirmTimeout);

        assertEquals(1, run.exit(), run.toString());
        assertEquals("rolled_back", run.host("gw2").path("status").asText(), run.toString());
        String why = run.host("gw2").path("message").asText();
        assertTrue(why.startsWith("could not reconnect to confirm (host gw2 (127.0.0.1:"), why);
        assertTrue(why.endsWith("the host rolls itself back within " + confirmTimeout + " s"), why);
        assertTrue(run.host("gw2").path("report").path("changed").asBoolean(), "the apply itself went through");
        if (recapAfter < confirmTimeout - 1) {
            assertTrue(stillLocked, "the recap came while the host still waited for its confirmation");
        }
        assertTrue(lockoutSeconds > confirmTimeout - 1.5, "rolled back at its deadline: " + lockoutSeconds + " s");
        RolloutLab.Snapshot after = lab.snapshot("gw2");
        assertEquals(FIXTURE.before("gw2").rules(), after.rules());
        assertEquals(FIXTURE.before("gw2").sysctls(), after.sysctls());
        assertFalse(lab.exists("gw2", "/var/lib/killswitch/pending.json"));
        assertTrue(lab.sshWorks("gw2"), "a new SSH connection works again");
    }

    /** Waits until {@code gw} is locked down (INPUT policy DROP) while {@code apply} runs; returns when (nanoTime). */
    private static long awaitLockdown(String gw, RolloutLab.Started apply) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!lab.snapshot(gw).lockedDown()) {
            assertTrue(System.nanoTime() < deadline && apply.process().isAlive(), "the forced apply never locked "
                    + gw + " down: " + (apply.process().isAlive() ? "" : lab.await(apply)));
            Thread.sleep(50);
        }
        return System.nanoTime();
    }

    /** Waits until {@code gw} holds its rules from before again; returns the seconds since {@code lockedAt}. */
    private static double awaitRollback(String gw, long lockedAt, int confirmTimeout) throws InterruptedException {
        while (!lab.snapshot(gw).rules().equals(FIXTURE.before(gw).rules())) {
            double waited = (System.nanoTime() - lockedAt) / 1e9;
            assertTrue(waited < confirmTimeout + SLACK_SECONDS, gw + " did not roll back within " + confirmTimeout
                    + " + " + SLACK_SECONDS + " s of the apply");
            Thread.sleep(50);
        }
        return (System.nanoTime() - lockedAt) / 1e9;
    }
}
