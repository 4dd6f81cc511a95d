package dev.killswitch.controller.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordsTest {
    private static final Finding LEAK = new Finding(Finding.Kind.LEAK_RISK, "-A OUTPUT -o eth0 -j ACCEPT");

    private static HostResult result(String host, Status status, String message) {
        return new HostResult(host, status, message, 0, "abc123", 250, null, null);
    }

    @Test
    void aCheckIsInSyncDriftedUnreachableOrFailed() {
        Check drifted = Records.fromCheck("ks", result("gw1", Status.CHANGED, "1 step(s) pending"), List.of(LEAK),
                "drift@2026-11-25T12:00:00Z");
        assertEquals(Check.Kind.CHECK, drifted.kind());
        assertEquals(Check.Outcome.DRIFTED, drifted.outcome());
        assertEquals(List.of(LEAK), drifted.findings());
        assertEquals("drift@2026-11-25T12:00:00Z", drifted.trigger());
        assertEquals("abc123", drifted.fingerprint());
        assertEquals("ks", drifted.play());
        assertEquals(250, drifted.millis());
        assertEquals(Check.Outcome.IN_SYNC,
                Records.fromCheck("ks", result("gw1", Status.OK, "no changes"), List.of(), null).outcome());
        assertEquals(Check.Outcome.UNREACHABLE,
                Records.fromCheck("ks", result("gw1", Status.UNREACHABLE, "timeout"), List.of(), null).outcome());
        Check failed = Records.fromCheck("ks", result("gw1", Status.FAILED, "no java"), List.of(), null);
        assertEquals(Check.Outcome.FAILED, failed.outcome());
        assertEquals("no java", failed.message());
    }

    @Test
    void anApplyIsInSyncChangedRefusedUnreachableOrFailed() {
        assertEquals(Check.Outcome.IN_SYNC, apply(Status.OK, "no changes"));
        assertEquals(Check.Outcome.CHANGED, apply(Status.CHANGED, "3 step(s), confirmed"));
        assertEquals(Check.Outcome.UNREACHABLE, apply(Status.UNREACHABLE, "connection refused"));
        assertEquals(Check.Outcome.REFUSED, apply(Status.FAILED, "killswitch-agent: refused: step 2 drops ssh"));
        assertEquals(Check.Outcome.REFUSED, apply(Status.FAILED, "killswitch-agent: plan is stale: the live state is"));
        assertEquals(Check.Outcome.FAILED, apply(Status.ROLLED_BACK, "confirm refused (late); the host rolled back"));
    }

    private static Check.Outcome apply(Status s, String message) {
        return Records.fromApply(Check.Kind.APPLY, "ks", result("gw1", s, message), null).outcome();
    }

    @Test
    void aRecapGivesOneRecordPerHostWorkedOnNotPerSkippedHost() {
        Recap recap = new Recap("ks", List.of(result("gw1", Status.CHANGED, "ok"), result("gw2", Status.SKIPPED,
                "not attempted")), "max_fail_percentage crossed", 1000);
        List<Check> checks = Records.fromApply(Check.Kind.REMEDIATE, recap, null);
        assertEquals(List.of("gw1"), checks.stream().map(Check::host).toList());
        assertEquals(Check.Kind.REMEDIATE, checks.get(0).kind());
    }

    @Test
    void theControllerIsHostnameAndPid() {
        assertTrue(Records.controller().endsWith(":" + ProcessHandle.current().pid()), Records.controller());
    }
}
