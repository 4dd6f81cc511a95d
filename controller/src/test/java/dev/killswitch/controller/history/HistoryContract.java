package dev.killswitch.controller.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.drift.Finding;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every history store must do; run against H2 and PostgreSQL by the subclasses. */
abstract class HistoryContract {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    History store;

    /** A fresh, empty store URL (a new file, a new schema). */
    abstract String freshUrl() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = JdbcHistory.open(freshUrl());
    }

    @AfterEach
    void closeStore() {
        if (store != null) { // null when freshUrl() skipped the test (no PostgreSQL given)
            store.close();
        }
    }

    static Check check(String host, Instant at, Check.Outcome outcome, String trigger, Finding... findings) {
        return new Check(0, host, at, Check.Kind.CHECK, outcome, "sha256:" + host, List.of(findings), "kill switch",
                trigger, "ctl:1", 42, outcome.label());
    }

    @Test
    void aFreshStoreIsMigratedAndEmpty() {
        assertEquals(List.of(), store.find(History.Query.all()));
        assertEquals(List.of(), store.latest());
    }

    @Test
    void recordedChecksComeBackWithEveryFieldNewestFirst() {
        Finding leak = new Finding(Finding.Kind.LEAK_RISK, "-A OUTPUT -o eth0 -j ACCEPT lets traffic out of eth0");
        Finding foreign = new Finding(Finding.Kind.FOREIGN, "chain DOCKER");
        store.record(List.of(check("gw1", T0, Check.Outcome.DRIFTED, null, leak, foreign),
                check("gw2", T0.plusSeconds(1), Check.Outcome.IN_SYNC, null)));
        List<Check> all = store.find(History.Query.all());
        assertEquals(List.of("gw2", "gw1"), all.stream().map(Check::host).toList());
        Check gw1 = all.get(1);
        assertTrue(gw1.id() > 0);
        assertEquals(T0, gw1.at());
        assertEquals(Check.Kind.CHECK, gw1.kind());
        assertEquals(Check.Outcome.DRIFTED, gw1.outcome());
        assertEquals("sha256:gw1", gw1.fingerprint());
        assertEquals(List.of(leak, foreign), gw1.findings());
        assertEquals("kill switch", gw1.play());
        assertEquals(null, gw1.trigger());
        assertEquals("ctl:1", gw1.controller());
        assertEquals(42, gw1.millis());
        assertEquals("drifted", gw1.message());
    }

    @Test
    void pruneDeletesWhatIsOlderButKeepsEachHostsNewest() {
        List<Check> cs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            cs.add(check("gw1", T0.plus(i, ChronoUnit.DAYS), Check.Outcome.IN_SYNC, null));
        }
        cs.add(check("gw2", T0, Check.Outcome.DRIFTED, null)); // silent since: its only result stays
        store.record(cs);
        assertEquals(7, store.prune(T0.plus(7, ChronoUnit.DAYS)));
        List<Check> left = store.find(History.Query.all());
        assertEquals(List.of(T0.plus(9, ChronoUnit.DAYS), T0.plus(8, ChronoUnit.DAYS), T0.plus(7, ChronoUnit.DAYS), T0),
                left.stream().map(Check::at).toList());
        assertEquals(List.of("gw1", "gw2"), store.latest().stream().map(Check::host).toList());
        assertEquals(0, store.prune(T0.plus(7, ChronoUnit.DAYS)), "nothing more to prune");
        assertEquals(2, store.prune(T0.plus(365, ChronoUnit.DAYS)), "all but each host's newest");
        assertEquals(2, store.find(History.Query.all()).size());
    }

    @Test
    void pruneWorksThroughMoreThanOneBatch() {
        List<Check> cs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            cs.add(check("gw" + (i % 3), T0.plusSeconds(i), Check.Outcome.IN_SYNC, null));
        }
        store.record(cs);
        assertEquals(17, ((JdbcHistory) store).prune(T0.plus(1, ChronoUnit.DAYS), 7), "batches of 7, 7, 3");
        assertEquals(3, store.find(History.Query.all()).size());
    }

    @Test
    void findFiltersByHostTimeAndLimit() {
        List<Check> cs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            cs.add(check(i % 2 == 0 ? "gw1" : "gw2", T0.plus(i, ChronoUnit.MINUTES), Check.Outcome.IN_SYNC, null));
        }
        store.record(cs);
        List<Check> gw1 = store.find(new History.Query("gw1", null, null, 0));
        assertEquals(5, gw1.size());
        assertTrue(gw1.stream().allMatch(c -> c.host().equals("gw1")));
        assertEquals(T0.plus(8, ChronoUnit.MINUTES), gw1.get(0).at());
        List<Check> window = store.find(new History.Query(null, T0.plus(2, ChronoUnit.MINUTES),
                T0.plus(5, ChronoUnit.MINUTES), 0));
        assertEquals(List.of(T0.plus(4, ChronoUnit.MINUTES), T0.plus(3, ChronoUnit.MINUTES),
                T0.plus(2, ChronoUnit.MINUTES)), window.stream().map(Check::at).toList());
        assertEquals(3, store.find(new History.Query("gw2", null, null, 3)).size());
    }

    @Test
    void latestGivesTheNewestResultOfEveryHost() {
        store.record(List.of(check("gw1", T0, Check.Outcome.DRIFTED, null),
                check("gw2", T0, Check.Outcome.UNREACHABLE, null)));
        store.record(List.of(check("gw1", T0.plusSeconds(60), Check.Outcome.IN_SYNC, null)));
        List<Check> latest = store.latest();
        assertEquals(List.of("gw1", "gw2"), latest.stream().map(Check::host).toList());
        assertEquals(List.of(Check.Outcome.IN_SYNC, Check.Outcome.UNREACHABLE),
                latest.stream().map(Check::outcome).toList());
        // two results at the same time: the one stored last counts
        store.record(List.of(check("gw2", T0, Check.Outcome.FAILED, null)));
        assertEquals(Check.Outcome.FAILED, store.latest().get(1).outcome());
    }

    @Test
    void aSecondRecordOfOneTriggerFiringForAHostIsIgnored() {
        String trigger = "drift@2026-11-25T12:00:00Z";
        store.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, trigger)));
        // the same firing again for gw1 (skipped) in the same transaction as gw2's first record (kept)
        store.record(List.of(check("gw1", T0.plusSeconds(1), Check.Outcome.DRIFTED, trigger),
                check("gw2", T0.plusSeconds(1), Check.Outcome.IN_SYNC, trigger)));
        List<Check> all = store.find(History.Query.all());
        assertEquals(2, all.size());
        Check gw1 = all.stream().filter(c -> c.host().equals("gw1")).findFirst().orElseThrow();
        assertEquals(Check.Outcome.IN_SYNC, gw1.outcome());
    }

    @Test
    void aDatabaseThatHoldsOtherTablesGetsTheStoreBesideThem() throws Exception {
        String url = freshUrl();
        // the scheduler's Quartz tables, migrated by their own Flyway history, may come first
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE qrtz_locks (sched_name VARCHAR(120) NOT NULL, lock_name VARCHAR(40) NOT NULL)");
        }
        try (History h = JdbcHistory.open(url)) {
            h.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, null)));
            assertEquals(1, h.find(History.Query.all()).size());
        }
    }

    @Test
    void checksRunByHandAreAllKept() {
        store.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, null)));
        store.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, null)));
        assertEquals(2, store.find(History.Query.all()).size());
    }

    @Test
    void concurrentRecordsOfOneFiringKeepExactlyOne() throws Exception {
        String trigger = "drift@2026-11-25T12:05:00Z";
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String ctl = "ctl:" + w;
                done.add(pool.submit(() -> {
                    start.await();
                    store.record(List.of(new Check(0, "gw1", T0, Check.Kind.CHECK, Check.Outcome.IN_SYNC, null,
                            List.of(), "p", trigger, ctl, 1, null)));
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, store.find(History.Query.all()).size());
    }
}
