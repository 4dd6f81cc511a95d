package dev.killswitch.controller.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.Records;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final EventLog log = new EventLog(new PrintStream(logged, true, StandardCharsets.UTF_8), Clock.systemUTC());

    private static FleetCheck twoHosts(AtomicInteger running, AtomicInteger overlaps) {
        return trigger -> {
            if (running.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            try {
                Thread.sleep(50);
            } finally {
                running.decrementAndGet();
            }
            return List.of(check("gw1", trigger), check("gw2", trigger));
        };
    }

    static Check check(String host, String trigger) {
        return new Check(0, host, Instant.now(), Check.Kind.CHECK, Check.Outcome.IN_SYNC, "fp", List.of(), "play",
                trigger, Records.controller(), 5, "ok");
    }

    @Test
    void everyFiringRecordsEveryHostOnceInOneCallUnderItsTriggerAndScheduledTime() throws Exception {
        MemoryHistory history = new MemoryHistory();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Schedule s = Schedule.start(new Schedule.Spec("drift:pb.yml:hosts.yml", "* * * * * ?", Misfire.FIRE_ONCE_NOW),
                null, history, twoHosts(running, overlaps), log);
        try {
            history.awaitRecords(3, 10_000);
        } finally {
            assertTrue(s.stop(Duration.ofSeconds(10)), "stopped with no check left running");
        }
        List<Check> checks = history.find(null);
        Map<String, List<String>> hostsByTrigger = checks.stream().collect(Collectors.groupingBy(Check::trigger,
                Collectors.mapping(Check::host, Collectors.toList())));
        assertTrue(hostsByTrigger.size() >= 3, hostsByTrigger.toString());
        assertEquals(hostsByTrigger.size(), history.recordCalls(), "one record() call per firing");
        hostsByTrigger.forEach((t, hosts) -> {
            assertEquals(List.of("gw1", "gw2"), hosts, t);
            assertTrue(t.matches("drift:pb\\.yml:hosts\\.yml@\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"),
                    "trigger name @ the scheduled (whole-second) fire time: " + t);
        });
        String self = ":" + ProcessHandle.current().pid();
        assertTrue(checks.stream().allMatch(c -> c.controller().endsWith(self)), checks.toString());
        assertEquals(0, overlaps.get(), "firings never overlap");
    }

    @Test
    void logIsOneJsonObjectPerLineWithTheFiringAndEveryHost() throws Exception {
        MemoryHistory history = new MemoryHistory();
        Schedule s = Schedule.start(new Schedule.Spec("t", "* * * * * ?", Misfire.SKIP), null, history,
                twoHosts(new AtomicInteger(), new AtomicInteger()), log);
        try {
            history.awaitRecords(1, 10_000);
        } finally {
            s.stop(Duration.ofSeconds(10));
        }
        List<String> lines = logged.toString(StandardCharsets.UTF_8).lines().toList();
        for (String l : lines) {
            assertTrue(l.startsWith("{\"time\":\"") && l.endsWith("}"), l);
        }
        String text = String.join("\n", lines);
        assertTrue(text.contains("\"event\":\"started\"") && text.contains("\"event\":\"fired\"")
                && text.contains("\"event\":\"stopping\""), text);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"event\":\"check\"") && l.contains("\"host\":\"gw2\"")
                && l.contains("\"outcome\":\"in-sync\"") && l.contains("\"findings\":0") && l.contains("\"millis\":5")
                && l.contains("\"trigger\":\"t@")), text);
    }

    @Test
    void withRetentionEachFiringPrunesAfterItIsRecorded() throws Exception {
        MemoryHistory history = new MemoryHistory();
        Schedule s = Schedule.start(new Schedule.Spec("t", "* * * * * ?", Misfire.FIRE_ONCE_NOW, Duration.ofSeconds(60),
                Duration.ofDays(90)), null, history, trigger -> List.of(check("gw1", trigger)), log);
        Instant started = Instant.now();
        try {
            history.awaitRecords(3, 15_000); // firings run one after the other: two prunes have finished by then
        } finally {
            s.stop(Duration.ofSeconds(10));
        }
        List<Instant> prunes = history.prunes();
        assertTrue(prunes.size() >= 2, "one prune per firing: " + prunes);
        Instant expected = started.minus(Duration.ofDays(90));
        assertTrue(!prunes.get(0).isBefore(expected.minusSeconds(5)) && prunes.get(0).isBefore(expected.plusSeconds(30)),
                prunes.get(0) + " is about 90 days back");
    }

    @Test
    void withoutRetentionNothingIsPruned() throws Exception {
        MemoryHistory history = new MemoryHistory();
        Schedule s = Schedule.start(new Schedule.Spec("t", "* * * * * ?", Misfire.FIRE_ONCE_NOW), null, history,
                trigger -> List.of(check("gw1", trigger)), log);
        try {
            history.awaitRecords(1, 10_000);
        } finally {
            s.stop(Duration.ofSeconds(10));
        }
        assertEquals(List.of(), history.prunes());
    }

    @Test
    void aFailingCheckIsLoggedAndRecordsNothingAndTheScheduleGoesOn() throws Exception {
        MemoryHistory history = new MemoryHistory();
        AtomicInteger calls = new AtomicInteger();
        Schedule s = Schedule.start(new Schedule.Spec("t", "* * * * * ?", Misfire.FIRE_ONCE_NOW), null, history,
                trigger -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new IllegalStateException("inventory vanished");
                    }
                    return List.of(check("gw1", trigger));
                }, log);
        try {
            history.awaitRecords(1, 10_000);
        } finally {
            s.stop(Duration.ofSeconds(10));
        }
        assertTrue(calls.get() >= 2);
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("inventory vanished"));
    }

    /** A schedule firing every second a check that takes {@code millis}, once its first check has started. */
    private Schedule runningSlowCheck(MemoryHistory history, AtomicInteger started, long millis) throws Exception {
        Schedule s = Schedule.start(new Schedule.Spec("t", "* * * * * ?", Misfire.FIRE_ONCE_NOW), null, history,
                trigger -> {
                    started.incrementAndGet();
                    Thread.sleep(millis);
                    return List.of(check("gw1", trigger));
                }, log);
        for (int i = 0; i < 300 && started.get() == 0; i++) {
            Thread.sleep(10);
        }
        return s;
    }

    @Test
    void stopWaitsForTheRunningCheckWithinItsBound() throws Exception {
        MemoryHistory history = new MemoryHistory();
        AtomicInteger started = new AtomicInteger();
        Schedule s = runningSlowCheck(history, started, 1500);
        assertTrue(s.stop(Duration.ofSeconds(10)), "the running check finished");
        assertEquals(1, history.find(null).size(), "and was recorded before the stop returned");
        assertEquals(1, started.get(), "no firing after the stop");
    }

    @Test
    void stopGivesUpAfterItsBound() throws Exception {
        assertFalse(runningSlowCheck(new MemoryHistory(), new AtomicInteger(), 3000).stop(Duration.ofMillis(200)));
    }

    @Test
    void badCronIsRefusedNamingTheOptionAndShowingTheSyntax() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Schedule.Spec("t", "*/5 * * * *", Misfire.SKIP));
        assertTrue(e.getMessage().startsWith("--schedule '*/5 * * * *': not a Quartz cron expression"), e.getMessage());
        assertTrue(e.getMessage().contains("seconds first") && e.getMessage().contains("\"0/5 * * * * ?\""),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Spec("t", "0/5 * * 31 * MON", Misfire.SKIP));
    }

    @Test
    void misfirePolicyIsParsedFromItsOptionSpelling() {
        assertEquals(Misfire.FIRE_ONCE_NOW, Misfire.parse("fire-once-now"));
        assertEquals(Misfire.SKIP, Misfire.parse("skip"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Misfire.parse("later"));
        assertEquals("--misfire 'later': expected one of fire-once-now, skip", e.getMessage());
    }
}
