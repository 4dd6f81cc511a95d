package dev.killswitch.controller.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drift --schedule} on a lab of 2 gateways, the controllers as subprocesses: one controller records every
 * host of every firing and stops cleanly on SIGTERM; two controllers on one PostgreSQL run each firing once, even
 * when one of them is killed with SIGKILL in the middle of a firing.
 */
@Tag("netns")
class ScheduleLabTest {
    private static final String EVERY_5_S = "0/5 * * * * ?";
    private static final List<String> HOSTS = List.of("gw1", "gw2");
    @TempDir
    static Path dir;
    static E2eLab lab;

    @BeforeAll
    static void up() {
        lab = E2eLab.up(dir, 2);
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void fiveSecondScheduleRecordsEveryHostOfEveryFiringAndStopsCleanlyOnSigterm() throws Exception {
        String url = JdbcHistory.h2Url(dir.resolve("history"));
        try (Spawned controller = lab.startKillswitch("drift", E2eLab.playbook("killswitch.yml"),
                "--schedule", EVERY_5_S, "--store", url)) {
            awaitEvent(controller, e -> count(events(controller), "fired") >= 3, Duration.ofSeconds(90));
            controller.terminate();
            int exit = controller.awaitExit(Duration.ofSeconds(75));
            List<JsonNode> events = events(controller);
            assertEquals(0, exit, controller.stderr());
            assertEquals("stopped", events.get(events.size() - 1).get("event").asText(), controller.stderr());
            List<String> fired = triggers(events, "fired");
            TreeMap<String, List<String>> stored = hostsByTrigger(url);
            assertEquals(fired.size() * HOSTS.size(), stored.values().stream().mapToInt(List::size).sum(),
                    "hosts x firings checks: " + stored);
            assertEquals(new TreeMap<>(fired.stream().collect(Collectors.toMap(t -> t, t -> HOSTS))), stored);
            assertConsecutive(stored.keySet(), controller.stderr());
        }
    }

    @Test
    void twoControllersOnPostgresRunEveryFiringOnceWhenOneIsKilledMidFiring() throws Exception {
        String base = System.getenv("KILLSWITCH_TEST_PG");
        assumeTrue(base != null && !base.isBlank(), "KILLSWITCH_TEST_PG is not set (scripts/test-postgres gives it)");
        String schema = "ks_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql(base, "CREATE SCHEMA " + schema);
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        List<Spawned> controllers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Spawned c = lab.startKillswitch("drift", E2eLab.playbook("killswitch.yml"), "--schedule", EVERY_5_S,
                        // a loaded machine may take over late: every firing since must still run
                        "--misfire-threshold", "600", "--store", url);
                controllers.add(c);
                // one after the other: the second one joins the trigger the first one created
                awaitEvent(c, e -> e.get("event").asText().equals("started"), Duration.ofSeconds(120));
            }
            // kill, with SIGKILL, whichever controller is in the middle of a firing once one firing is done
            Spawned victim = null;
            String killed = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (victim == null && System.nanoTime() < deadline) {
                boolean anyFired = controllers.stream().anyMatch(c -> count(events(c), "fired") > 0);
                for (Spawned c : controllers) {
                    String running = running(events(c));
                    if (anyFired && running != null) {
                        c.kill();
                        victim = c;
                        killed = running;
                        break;
                    }
                }
                Thread.sleep(50);
            }
            assertTrue(victim != null, "no controller was seen running a firing: " + controllers.get(0).stderr()
                    + controllers.get(1).stderr());
            Spawned survivor = controllers.get(victim == controllers.get(0) ? 1 : 0);
            Instant killedAt = Instant.now();
            String killedTrigger = killed;
            // the survivor takes over: the killed firing again, then later ones
            awaitEvent(survivor, e -> events(survivor).stream().filter(x -> x.get("event").asText().equals("fired")
                    && Instant.parse(x.get("time").asText()).isAfter(killedAt)).count() >= 3, Duration.ofSeconds(90));
            survivor.terminate();
            assertEquals(0, survivor.awaitExit(Duration.ofSeconds(75)), survivor.stderr());

            TreeMap<String, List<String>> stored = hostsByTrigger(url);
            stored.forEach((t, hosts) -> assertEquals(HOSTS, hosts, "one check per host of " + t));
            assertTrue(stored.containsKey(killed), "the killed firing " + killed + " was re-run: " + stored.keySet());
            assertConsecutive(stored.keySet(), victim.stderr() + "\n" + survivor.stderr());
            List<String> fired = new ArrayList<>(triggers(events(victim), "fired"));
            fired.addAll(triggers(events(survivor), "fired"));
            assertEquals(fired.size(), fired.stream().distinct().count(), "no firing ran to its end twice: " + fired);
            assertTrue(events(survivor).stream().anyMatch(e -> e.get("event").asText().equals("firing")
                            && e.get("recovering").asBoolean() && e.get("trigger").asText().equals(killedTrigger)),
                    "the survivor recovered the killed firing: " + survivor.stderr());
            System.out.println("cluster: " + stored.size() + " firings stored, " + stored.firstKey() + " .. "
                    + stored.lastKey() + "; killed in " + killed);
        } finally {
            controllers.forEach(Spawned::close);
            sql(base, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** The controller's structured log so far: its JSON lines on stderr. */
    private static List<JsonNode> events(Spawned c) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : c.stderr().lines().toList()) {
            if (line.startsWith("{")) {
                try {
                    out.add(Json.MAPPER.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException("not a JSON log line: " + line, e);
                }
            }
        }
        return out;
    }

    private static long count(List<JsonNode> events, String event) {
        return events.stream().filter(e -> e.get("event").asText().equals(event)).count();
    }

    private static List<String> triggers(List<JsonNode> events, String event) {
        return events.stream().filter(e -> e.get("event").asText().equals(event))
                .map(e -> e.get("trigger").asText()).toList();
    }

    /** The firing a controller is in the middle of, or null. */
    private static String running(List<JsonNode> events) {
        List<String> started = triggers(events, "firing");
        if (started.isEmpty()) {
            return null;
        }
        String last = started.get(started.size() - 1);
        return triggers(events, "fired").contains(last) ? null : last;
    }

    private static void awaitEvent(Spawned c, Predicate<JsonNode> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events(c).stream().noneMatch(done)) {
            if (System.nanoTime() > deadline || !c.alive()) {
                throw new AssertionError("not seen within " + timeout + " (alive " + c.alive() + "): " + c.stderr());
            }
            Thread.sleep(100);
        }
    }

    private static Instant at(String trigger) {
        return Instant.parse(trigger.substring(trigger.lastIndexOf('@') + 1));
    }

    /** Stored host names by trigger, triggers in time order. */
    private static TreeMap<String, List<String>> hostsByTrigger(String url) {
        try (History h = JdbcHistory.open(url)) {
            TreeMap<String, List<String>> out = new TreeMap<>();
            for (Check c : h.find(History.Query.all())) {
                out.computeIfAbsent(c.trigger(), t -> new ArrayList<>()).add(c.host());
            }
            out.values().forEach(hosts -> hosts.sort(null));
            return out;
        }
    }

    /** No firing is missing between the first and the last: they are 5 s apart. */
    private static void assertConsecutive(java.util.Set<String> triggers, String logs) {
        List<Instant> times = triggers.stream().map(ScheduleLabTest::at).sorted().toList();
        for (int i = 1; i < times.size(); i++) {
            assertEquals(Duration.ofSeconds(5), Duration.between(times.get(i - 1), times.get(i)), "firings " + triggers + "\n" + logs);
        }
    }

    private static void sql(String url, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
