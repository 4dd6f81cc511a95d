package dev.killswitch.controller.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared schedule on a real PostgreSQL ({@code KILLSWITCH_TEST_PG}) in a schema of its own: Quartz's tables
 * migrate beside the history store's, and a controller that starts later joins the stored trigger instead of
 * adding a second one.
 */
class SharedScheduleTest {
    private String base;
    private String schema;
    private String url;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final EventLog log = new EventLog(new PrintStream(logged, true, StandardCharsets.UTF_8), Clock.systemUTC());

    @BeforeEach
    void schema() throws Exception {
        base = System.getenv("KILLSWITCH_TEST_PG");
        assumeTrue(base != null && !base.isBlank(), "KILLSWITCH_TEST_PG is not set (scripts/test-postgres gives it)");
        schema = "ks_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        query(base, "CREATE SCHEMA " + schema);
        url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @AfterEach
    void drop() throws Exception {
        if (schema != null) {
            query(base, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void quartzTablesMigrateBesideTheStoreAndALaterControllerJoinsTheStoredTrigger() throws Exception {
        try (History history = JdbcHistory.open(url)) {
            FleetCheck two = trigger -> List.of(ScheduleTest.check("gw1", trigger), ScheduleTest.check("gw2", trigger));
            Schedule first = Schedule.start(new Schedule.Spec("drift:pb.yml:hosts.yml", "* * * * * ?",
                    Misfire.FIRE_ONCE_NOW), url, history, two, log);
            assertTrue(first.shared());
            awaitChecks(history, 4);
            assertTrue(first.stop(Duration.ofSeconds(20)));

            Schedule second = Schedule.start(new Schedule.Spec("drift:pb.yml:hosts.yml", "* * * * * ?",
                    Misfire.FIRE_ONCE_NOW), url, history, two, log);
            assertTrue(second.stop(Duration.ofSeconds(20)));
            Schedule third = Schedule.start(new Schedule.Spec("drift:pb.yml:hosts.yml", "0 0/15 * * * ?",
                    Misfire.SKIP), url, history, two, log);
            assertTrue(third.stop(Duration.ofSeconds(20)));
        }
        String text = logged.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\"event\":\"scheduled\"") && text.contains("\"event\":\"joined\"")
                && text.contains("\"event\":\"rescheduled\""), text);
        assertEquals("1", query(url, "SELECT count(*) FROM qrtz_triggers"), "one trigger, shared");
        assertEquals("0 0/15 * * * ?", query(url, "SELECT cron_expression FROM qrtz_cron_triggers"));
        assertEquals("1", query(url, "SELECT version FROM ks_quartz_schema_history WHERE success AND version IS NOT NULL"
                + " AND version <> '0'"));
        assertEquals("1", query(url, "SELECT count(*) FROM ks_schema_history WHERE version = '1'"),
                "the store's own migrations are untouched");
    }

    private static void awaitChecks(History history, int n) throws InterruptedException {
        for (int i = 0; i < 150 && history.find(History.Query.all()).size() < n; i++) {
            Thread.sleep(100);
        }
        List<Check> checks = history.find(History.Query.all());
        assertTrue(checks.size() >= n, checks.toString());
    }

    /** Runs a statement; the first column of its first row, if it has one. */
    private static String query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            if (!s.execute(sql)) {
                return null;
            }
            try (ResultSet rs = s.getResultSet()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
