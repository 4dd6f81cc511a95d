package dev.killswitch.controller.e2e2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.rollout.HostResult;
import dev.killswitch.controller.rollout.Progress;
import dev.killswitch.controller.rollout.Recap;
import dev.killswitch.controller.rollout.Rollout;
import dev.killswitch.controller.rollout.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rollout batching, max_fail_percentage and skipped hosts, with scripted hosts (no SSH). */
class RolloutBatchesTest {

    static final List<String> FIVE = hosts(5);

    /** Records the batches the rollout announces and the hosts it works on. */
    static final class Script implements Rollout.HostWork, Progress {
        final Map<String, Status> outcomes;
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<String> worked = Collections.synchronizedList(new ArrayList<>());

        Script(Map<String, Status> outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public HostResult run(String host) {
            worked.add(host);
            return HostResult.of(host, outcomes.getOrDefault(host, Status.CHANGED), "scripted", 0);
        }

        @Override
        public void batch(int index, int count, List<String> hosts) {
            batches.add(List.copyOf(hosts));
        }

        @Override
        public void host(String host, String event) {
        }

        @Override
        public void done(HostResult result) {
        }
    }

    @Test
    void aCanaryThenEveryoneRunsAsTwoBatchesInInventoryOrder() {
        Script s = new Script(Map.of());

        Recap r = new Rollout(10, s).run("p", FIVE, List.of(1, "100%"), 0, s);

        assertEquals(List.of(List.of("h1"), List.of("h2", "h3", "h4", "h5")), s.batches);
        assertNull(r.stopReason());
        assertEquals(FIVE, r.hosts().stream().map(HostResult::host).toList());
        assertEquals(5, r.counts().get(Status.CHANGED));
        assertFalse(r.anyFailed());
    }

    @Test
    void serialAsNumbersAndPercentagesRepeatsTheLastSizeUntilEveryHostIsDone() {
        Script s = new Script(Map.of());

        new Rollout(10, s).run("p", hosts(10), List.of(1, "20%"), 0, s);

        assertEquals(List.of(1, 2, 2, 2, 2, 1), s.batches.stream().map(List::size).toList());
    }

    @Test
    void anUnreachableCanaryStopsTheRolloutAndSkipsEveryOtherHost() {
        Script s = new Script(Map.of("h1", Status.UNREACHABLE));

        Recap r = new Rollout(10, s).run("p", FIVE, List.of(1, "100%"), 0, s);

        assertEquals(List.of("h1"), s.worked);
        assertEquals(List.of(List.of("h1")), s.batches, "batch 2 is never announced");
        assertEquals("1 of 1 host(s) failed in batch 1 (100% > max_fail_percentage 0%)", r.stopReason());
        for (HostResult h : r.hosts().subList(1, 5)) {
            assertEquals(Status.SKIPPED, h.status());
            assertEquals("not attempted: " + r.stopReason(), h.message());
        }
        assertTrue(r.anyFailed());
        assertTrue(r.stopped());
        assertTrue(r.text(false).contains("STOPPED: " + r.stopReason()));
        assertTrue(r.json().path("stopped").asBoolean());
        assertEquals(r.stopReason(), r.json().path("stopReason").asText());
        assertEquals(4, r.json().path("counts").path("skipped").asInt());
    }

    @Test
    void aRolledBackOrFailedHostCountsAsFailedLikeAnUnreachableOne() {
        for (Status bad : List.of(Status.ROLLED_BACK, Status.FAILED, Status.UNREACHABLE)) {
            Script s = new Script(Map.of("h1", bad));

            Recap r = new Rollout(10, s).run("p", FIVE, List.of(1, "100%"), 0, s);

            assertEquals(List.of("h1"), s.worked, bad.name());
            assertEquals(4, r.counts().get(Status.SKIPPED), bad.name());
        }
    }

    @Test
    void failuresUpToTheThresholdLetTheRolloutGoOnAndCrossingItStopsBeforeTheNextBatch() {
        // batches of 2: 1 failure in 2 is 50%, not more than 50
        Script within = new Script(Map.of("h1", Status.FAILED, "h3", Status.FAILED));
        Recap r1 = new Rollout(10, within).run("p", hosts(6), List.of(2), 50, within);
        assertNull(r1.stopReason());
        assertEquals(6, within.worked.size());
        assertTrue(r1.anyFailed(), "failed hosts still fail the run");

        // both hosts of batch 2 fail: 100% > 50%, so batch 3 is skipped
        Script over = new Script(Map.of("h3", Status.FAILED, "h4", Status.UNREACHABLE));
        Recap r2 = new Rollout(10, over).run("p", hosts(6), List.of(2), 50, over);
        assertEquals("2 of 2 host(s) failed in batch 2 (100% > max_fail_percentage 50%)", r2.stopReason());
        assertEquals(List.of(Status.CHANGED, Status.CHANGED, Status.FAILED, Status.UNREACHABLE, Status.SKIPPED,
                Status.SKIPPED), r2.hosts().stream().map(HostResult::status).toList());
    }

    @Test
    void whenTheLastBatchCrossesTheThresholdTheRecapSaysTheRolloutFinishedWithFailuresNotThatItStopped() {
        Script s = new Script(Map.of("h5", Status.FAILED));

        Recap r = new Rollout(10, s).run("p", FIVE, List.of(1, "100%"), 0, s);

        assertEquals(5, s.worked.size(), "every host was attempted");
        assertEquals("1 of 4 host(s) failed in batch 2 (25% > max_fail_percentage 0%)", r.stopReason());
        assertFalse(r.stopped());
        assertTrue(r.anyFailed(), "the run still fails");
        String text = r.text(false);
        assertTrue(text.contains("FINISHED WITH FAILURES: " + r.stopReason()), text);
        assertFalse(text.contains("STOPPED"), text);
        assertFalse(r.json().path("stopped").asBoolean());
        assertTrue(r.json().path("stopReason").isNull());
    }

    @Test
    void noMaxFailPercentageMeansAnyFailureStops() {
        Script s = new Script(Map.of("h2", Status.FAILED));

        Recap r = new Rollout(10, s).run("p", FIVE, List.of(2), null, s);

        assertEquals("1 of 2 host(s) failed in batch 1 (50% > max_fail_percentage 0%)", r.stopReason());
        assertEquals(2, s.worked.size());
    }

    @Test
    void workThatThrowsFailsItsHostAndTheRolloutCarriesOnReporting() {
        Rollout.HostWork boom = h -> {
            if (h.equals("h2")) {
                throw new IllegalStateException("scripted bug");
            }
            return HostResult.of(h, Status.OK, "", 0);
        };

        Recap r = new Rollout(2, Progress.QUIET).run("p", hosts(3), List.of(), 100, boom);

        assertEquals(Status.FAILED, r.hosts().get(1).status());
        assertTrue(r.hosts().get(1).message().startsWith("internal error: java.lang.IllegalStateException: scripted bug"));
        assertEquals(Status.OK, r.hosts().get(2).status());
    }

    @Test
    void neverMoreThanForksHostsAtOnce() {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        Rollout.HostWork slow = h -> {
            peak.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            return HostResult.of(h, Status.OK, "", 0);
        };

        Recap r = new Rollout(3, Progress.QUIET).run("p", hosts(12), List.of(), 0, slow);

        assertEquals(12, r.counts().get(Status.OK));
        assertTrue(peak.get() <= 3, "peak " + peak.get());
        assertTrue(peak.get() >= 2, "hosts do run in parallel: peak " + peak.get());
    }

    @Test
    void forksBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Rollout(0, Progress.QUIET));
    }

    @Test
    void aPlayWithoutHostsRunsNothing() {
        Script s = new Script(Map.of());

        Recap r = new Rollout(10, s).run("p", List.of(), List.of(1, "100%"), 0, s);

        assertTrue(r.hosts().isEmpty());
        assertTrue(s.batches.isEmpty());
        assertNull(r.stopReason());
    }

    static List<String> hosts(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "h" + i).toList();
    }
}
