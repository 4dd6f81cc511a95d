package dev.killswitch.controller.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.killswitch.agent.report.Json;
import dev.killswitch.controller.drift.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The history store over JDBC: an H2 file by default, or PostgreSQL shared by several controllers. The schema is
 * migrated by Flyway from {@code db/history} on open, with its own schema history table ({@value #SCHEMA_TABLE}) so
 * that other migrations (the scheduler's Quartz tables) can live in the same database.
 */
public final class JdbcHistory implements History {
    /** Flyway's record of the store's migrations. */
    public static final String SCHEMA_TABLE = "ks_schema_history";
    /** The stored columns, in the order {@link #bind} sets them. */
    public static final String COLUMNS =
            "host, at, kind, outcome, fingerprint, findings, play, trigger_id, controller, millis, message";
    private static final String VALUES = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";
    private static final String UNIQUE_VIOLATION = "23505";
    /** H2's "database may be already in use" (another process holds the file). */
    private static final int H2_IN_USE = 90020;
    /** How long open waits for another process to release an H2 file. */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    private static final Pattern SECRET = Pattern.compile("(?i)(password=)[^&;]*");

    private final HikariDataSource pool;
    /** The first try: a plain batch insert on H2, where a duplicate (trigger, host) then fails the batch. */
    private final String insert;
    /** After a duplicate: a statement that skips the (trigger, host) already stored. */
    private final String insertNew;

    private JdbcHistory(HikariDataSource pool, boolean postgres) {
        this.pool = pool;
        // PostgreSQL skips a duplicate itself, safely against concurrent controllers; H2 (one process) has no ON
        // CONFLICT outside its PostgreSQL mode: a MERGE that only inserts, after a plain insert met a duplicate
        this.insertNew = postgres
                ? "INSERT INTO ks_checks (" + COLUMNS + ") VALUES (" + VALUES + ") ON CONFLICT DO NOTHING"
                : "MERGE INTO ks_checks c USING (VALUES (" + VALUES + ")) AS s(" + COLUMNS + ")"
                        + " ON c.trigger_id = s.trigger_id AND c.host = s.host"
                        + " WHEN NOT MATCHED THEN INSERT (" + COLUMNS + ") VALUES (s." + COLUMNS.replace(", ", ", s.")
                        + ")";
        this.insert = postgres ? insertNew : "INSERT INTO ks_checks (" + COLUMNS + ") VALUES (" + VALUES + ")";
    }

    /** The default store: an H2 file in the user's data directory, created on first use. */
    public static String defaultUrl() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return h2Url(base.resolve("killswitch").resolve("history"));
    }

    /** The JDBC URL of an H2 store in this file (H2 adds {@code .mv.db}). */
    public static String h2Url(Path file) {
        return "jdbc:h2:file:" + file.toAbsolutePath();
    }

    /**
     * Opens the store at this JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql://...}) and brings its schema
     * up to date.
     *
     * @throws IllegalArgumentException naming the {@code --store} option when the URL is not one of these, the
     *                                  database cannot be reached, or its schema cannot be migrated
     */
    public static JdbcHistory open(String jdbcUrl) {
        boolean postgres = jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:");
        boolean h2 = jdbcUrl != null && jdbcUrl.startsWith("jdbc:h2:");
        if (!postgres && !h2) {
            throw new IllegalArgumentException("--store " + redact(jdbcUrl) + ": not a store URL; use "
                    + "jdbc:postgresql://HOST[:PORT]/DATABASE?user=...&password=... or jdbc:h2:file:PATH");
        }
        if (h2) {
            createParent(jdbcUrl);
        }
        HikariDataSource pool = pool(jdbcUrl, System.nanoTime() + LOCK_WAIT.toNanos());
        if (current(pool)) {
            return new JdbcHistory(pool, postgres);
        }
        try {
            Flyway.configure(JdbcHistory.class.getClassLoader())
                    .dataSource(pool)
                    .locations("classpath:db/history")
                    .table(SCHEMA_TABLE)
                    // the database may already hold other tables (Quartz's): start our own history at version 0
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            pool.close();
            throw new IllegalArgumentException("--store " + redact(jdbcUrl) + ": cannot migrate the history schema: "
                    + reason(e), e);
        }
        return new JdbcHistory(pool, postgres);
    }

    /** The newest migration in {@code db/history} (H2HistoryTest holds the two together). */
    static final int SCHEMA_VERSION = 2;

    /**
     * True when every migration up to {@link #SCHEMA_VERSION} was applied and none failed: Flyway then has nothing
     * to do, and skipping it (its classpath scan, validation and set-up) saves about a tenth of a short run's
     * controller CPU. Anything else (no table yet, a failed or newer migration) is left to Flyway.
     */
    private static boolean current(HikariDataSource pool) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT \"version\", \"success\" FROM \"" + SCHEMA_TABLE + "\"");
             ResultSet rs = ps.executeQuery()) {
            int newest = -1;
            while (rs.next()) {
                String version = rs.getString(1);
                if (!rs.getBoolean(2)) {
                    return false;
                }
                if (version != null) {
                    newest = Math.max(newest, Integer.parseInt(version));
                }
            }
            return newest == SCHEMA_VERSION;
        } catch (SQLException | NumberFormatException e) {
            return false;
        }
    }

    /**
     * The connection pool, once the database answers. An H2 file is opened by one process at a time; commands open it
     * only to record, so a second process waits for the first to finish rather than failing.
     */
    private static HikariDataSource pool(String jdbcUrl, long deadline) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("killswitch-history");
        config.setMaximumPoolSize(4);
        // the connection that proves the database answers stays in the pool: with none idle, an H2 file would be
        // closed and opened again for the schema check
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        // fail here, with the reason, rather than on the first record
        config.setInitializationFailTimeout(1);
        while (true) {
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                boolean inUse = errorCode(e) == H2_IN_USE;
                if (inUse && System.nanoTime() < deadline) {
                    sleep();
                    continue;
                }
                throw new IllegalArgumentException("--store " + redact(jdbcUrl) + ": cannot open the history store: "
                        + (inUse ? "the file is in use by another killswitch process (a long-running one, such as "
                        + "drift --schedule, keeps it open): share a PostgreSQL store between them with --store"
                        : reason(e)), e);
            }
        }
    }

    private static int errorCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getErrorCode() != 0) {
                return s.getErrorCode();
            }
        }
        return 0;
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the history store", ie);
        }
    }

    /**
     * Stores the results in one transaction. A result whose (trigger, host) is already stored is skipped, not an
     * error: a clustered schedule may run one trigger firing on two controllers, and only the first record counts.
     * Results without a trigger (run by hand) are always stored.
     */
    @Override
    public void record(List<Check> checks) {
        if (checks.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement(attempt == 1 ? insert : insertNew)) {
                    for (Check k : checks) {
                        bind(ps, k);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    addHosts(c, checks);
                    c.commit();
                    return;
                } catch (SQLException e) {
                    c.rollback();
                    // a (trigger, host) is stored already, or another connection stored it between our MERGE's
                    // check and its insert: the retry skips it
                    if (attempt < 4 && duplicate(e)) {
                        continue;
                    }
                    throw e;
                }
            } catch (SQLException e) {
                throw new IllegalStateException("history store: cannot record " + checks.size() + " result(s): "
                        + reason(e), e);
            }
        }
    }

    @Override
    public List<Check> find(Query q) {
        StringBuilder sql = new StringBuilder("SELECT id, " + COLUMNS + " FROM ks_checks WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.host() != null) {
            sql.append(" AND host = ?");
            args.add(q.host());
        }
        if (q.since() != null) {
            sql.append(" AND at >= ?");
            args.add(timestamp(q.since()));
        }
        if (q.until() != null) {
            sql.append(" AND at < ?");
            args.add(timestamp(q.until()));
        }
        sql.append(" ORDER BY at DESC, id DESC");
        if (q.limit() > 0) {
            sql.append(" LIMIT ?");
            args.add(q.limit());
        }
        return query(sql.toString(), args);
    }

    /** Adds the hosts not stored before to ks_hosts; a host added meanwhile by another controller is a retry. */
    private static void addHosts(Connection c, List<Check> checks) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ks_hosts (host) SELECT CAST(? AS VARCHAR(255)) "
                + "WHERE NOT EXISTS (SELECT 1 FROM ks_hosts WHERE host = ?)")) {
            for (String host : checks.stream().map(Check::host).distinct().toList()) {
                ps.setString(1, host);
                ps.setString(2, host);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Rows deleted per transaction: a first prune of a large store must not hold one huge transaction. */
    static final int PRUNE_BATCH = 10_000;

    @Override
    public long prune(Instant before) {
        return prune(before, PRUNE_BATCH);
    }

    long prune(Instant before, int batch) {
        List<Long> newest = latest().stream().map(Check::id).toList();
        String keep = newest.isEmpty() ? "" : " AND id NOT IN (" + "?, ".repeat(newest.size() - 1) + "?)";
        // ids through a subquery: PostgreSQL has no DELETE ... LIMIT
        String sql = "DELETE FROM ks_checks WHERE id IN (SELECT id FROM ks_checks WHERE at < ?" + keep + " LIMIT ?)";
        long deleted = 0;
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int n;
            do {
                ps.setObject(1, timestamp(before));
                for (int i = 0; i < newest.size(); i++) {
                    ps.setLong(i + 2, newest.get(i));
                }
                ps.setInt(newest.size() + 2, batch);
                n = ps.executeUpdate();
                deleted += n;
            } while (n == batch);
        } catch (SQLException e) {
            throw new IllegalStateException("history store: cannot prune: " + reason(e), e);
        }
        return deleted;
    }

    @Override
    public List<Check> latest() {
        // one index seek per host: grouping the whole table does not scale to millions of checks
        List<Check> out = new ArrayList<>();
        for (String host : hosts()) {
            out.addAll(find(new Query(host, null, null, 1)));
        }
        return out;
    }

    private List<String> hosts() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT host FROM ks_hosts ORDER BY host");
             ResultSet rs = ps.executeQuery()) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("history store: cannot read: " + reason(e), e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private List<Check> query(String sql, List<Object> args) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<Check> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(check(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("history store: cannot read: " + reason(e), e);
        }
    }

    /** Sets parameters 1 to 11 of an insert to the check's {@link #COLUMNS}. */
    public static void bind(PreparedStatement ps, Check k) throws SQLException {
        ps.setString(1, k.host());
        ps.setObject(2, timestamp(k.at()));
        ps.setString(3, k.kind().name());
        ps.setString(4, k.outcome().name());
        ps.setString(5, k.fingerprint());
        ps.setString(6, findingsJson(k.findings()));
        ps.setString(7, k.play());
        ps.setString(8, k.trigger());
        ps.setString(9, k.controller());
        ps.setLong(10, k.millis());
        ps.setString(11, k.message());
    }

    private static Check check(ResultSet rs) throws SQLException {
        return new Check(rs.getLong("id"), rs.getString("host"), rs.getObject("at", OffsetDateTime.class).toInstant(),
                Check.Kind.valueOf(rs.getString("kind")), Check.Outcome.valueOf(rs.getString("outcome")),
                rs.getString("fingerprint"), findings(rs.getString("findings")), rs.getString("play"),
                rs.getString("trigger_id"), rs.getString("controller"), rs.getLong("millis"),
                rs.getString("message"));
    }

    private static OffsetDateTime timestamp(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /** The findings column: a JSON array of {@code {"class", "detail"}}, as in the drift JSON. */
    static String findingsJson(List<Finding> findings) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Finding f : findings) {
            a.addObject().put("class", f.kind().label()).put("detail", f.detail());
        }
        return a.toString();
    }

    static List<Finding> findings(String json) {
        try {
            List<Finding> out = new ArrayList<>();
            for (JsonNode f : Json.MAPPER.readTree(json)) {
                out.add(new Finding(Finding.Kind.valueOf(f.path("class").asText().toUpperCase().replace('-', '_')),
                        f.path("detail").asText()));
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("history store: a stored findings column is not JSON: " + e.getMessage(), e);
        }
    }

    private static boolean duplicate(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (UNIQUE_VIOLATION.equals(x.getSQLState())) {
                return true;
            }
        }
        return e.getCause() instanceof SQLException s && UNIQUE_VIOLATION.equals(s.getSQLState());
    }

    /** Creates the directory of an H2 file store, which H2 does not do itself. */
    private static void createParent(String url) {
        String rest = url.substring("jdbc:h2:".length());
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")) {
            return;
        }
        String file = rest.startsWith("file:") ? rest.substring("file:".length()) : rest;
        int semi = file.indexOf(';');
        Path p = Path.of(semi >= 0 ? file.substring(0, semi) : file);
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--store " + url + ": cannot create the directory " + p.getParent()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The URL without its password, for messages. */
    static String redact(String url) {
        return url == null ? "(none)" : SECRET.matcher(url).replaceAll("$1***");
    }

    /** The driver's own words (the first SQL error in the chain), else the innermost message. */
    private static String reason(Throwable e) {
        Throwable t = e;
        for (Throwable x = e; x != null; x = x.getCause()) {
            t = x;
            if (x instanceof SQLException) {
                break;
            }
        }
        String m = t.getMessage() != null ? t.getMessage() : t.toString();
        return m.lines().findFirst().orElse(m);
    }
}
