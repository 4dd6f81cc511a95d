package dev.killswitch.controller.history;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/**
 * The history store on a real PostgreSQL ({@code KILLSWITCH_TEST_PG}, a JDBC URL; {@code .ci/run} sets it from
 * scripts/test-postgres). Every test gets its own schema, so parallel runs do not collide.
 */
class PostgresHistoryTest extends HistoryContract {
    private final List<String> schemas = new ArrayList<>();

    /** The test database's URL, or a skipped test when there is none. */
    static String baseUrl() {
        String url = System.getenv("KILLSWITCH_TEST_PG");
        assumeTrue(url != null && !url.isBlank(), "KILLSWITCH_TEST_PG is not set (scripts/test-postgres gives it)");
        return url;
    }

    /** A new empty schema in the test database, and the URL that makes it the current one. */
    static String freshSchema(String base, String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static void dropSchema(String base, String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    String freshUrl() throws Exception {
        String schema = "ks_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        schemas.add(schema);
        return freshSchema(baseUrl(), schema);
    }

    @AfterEach
    void dropSchemas() throws Exception {
        for (String s : schemas) {
            dropSchema(baseUrl(), s);
        }
    }
}
