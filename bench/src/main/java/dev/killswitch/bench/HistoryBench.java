package dev.killswitch.bench;

import dev.killswitch.controller.drift.Finding;
import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The history store at scale: fills a fresh store with N checks the way the controller records them (one transaction
 * per check run of H hosts, through {@link JdbcHistory#record}), then times one host's timeline and the fleet's
 * latest results. The baseline does the same in the same database with plain JDBC: a batch insert per run into a bare
 * table (same columns, no primary key, no index, no duplicate check) and the timeline as a full scan of it.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.killswitch.bench.HistoryBench --db h2|postgresql
 * [--pg JDBC-URL] [--checks 1000000] [--hosts 100] [--queries 21] [--dir DIR] [--header]}. Prints tab-separated lines
 * (see {@link #HEADER}), one per store.
 */
public final class HistoryBench {
    /** Column names of the lines {@link #main} prints. */
    public static final String HEADER = String.join("\t", "db", "store", "checks", "hosts", "insert_s",
            "checks_per_s", "last10pct_checks_per_s", "timeline_rows", "timeline_ms_median", "newest100_ms_median",
            "latest_ms_median", "size_mb");

    private static final String BARE = "CREATE TABLE bare_checks (host VARCHAR(255), at TIMESTAMP WITH TIME ZONE, "
            + "kind VARCHAR(16), outcome VARCHAR(16), fingerprint VARCHAR(128), findings VARCHAR(1000000), "
            + "play VARCHAR(255), trigger_id VARCHAR(255), controller VARCHAR(255), millis BIGINT, "
            + "message VARCHAR(1000000))";
    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Finding LEAK = new Finding(Finding.Kind.LEAK_RISK,
            "-A OUTPUT -o eth0 -j ACCEPT accepts egress to 198.51.100.250 out of eth0, outside the tunnel");
    private static final Finding FOREIGN = new Finding(Finding.Kind.FOREIGN, "chain DOCKER-USER (ignored: DOCKER*)");

    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        String db = null;
        String pg = System.getenv("KILLSWITCH_TEST_PG");
        long checks = 1_000_000;
        int hosts = 100;
        int queries = 21;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--header" -> {
                    System.out.println(HEADER);
                    return;
                }
                case "--db" -> db = args[++i];
                case "--pg" -> pg = args[++i];
                case "--checks" -> checks = Long.parseLong(args[++i]);
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--queries" -> queries = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        long runs = checks / hosts;
        if ("h2".equals(db)) {
            Path d = Files.createTempDirectory(dir, "ks-history-bench");
            String store = JdbcHistory.h2Url(d.resolve("history"));
            String bare = JdbcHistory.h2Url(d.resolve("bare"));
            System.out.println(measureStore("h2", store, runs, hosts, queries, () -> size(d, "history")));
            System.out.println(measureBare("h2", bare, runs, hosts, queries, () -> size(d, "bare")));
            deleteTree(d);
        } else if ("postgresql".equals(db)) {
            if (pg == null) {
                throw new IllegalArgumentException("--db postgresql needs --pg JDBC-URL or KILLSWITCH_TEST_PG");
            }
            String schema = "ks_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
            sql(pg, "CREATE SCHEMA " + schema);
            String url = pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            try {
                System.out.println(measureStore("postgresql", url, runs, hosts, queries,
                        () -> pgSize(url, "ks_checks")));
                System.out.println(measureBare("postgresql", url, runs, hosts, queries,
                        () -> pgSize(url, "bare_checks")));
            } finally {
                sql(pg, "DROP SCHEMA " + schema + " CASCADE");
            }
        } else {
            throw new IllegalArgumentException("--db h2 or --db postgresql");
        }
    }

    private interface Size {
        double mb() throws Exception;
    }

    private static String measureStore(String db, String url, long runs, int hosts, int queries, Size size)
            throws Exception {
        try (History store = JdbcHistory.open(url)) {
            Random rnd = new Random(42);
            long t0 = System.nanoTime();
            long last10 = 0;
            for (long run = 0; run < runs; run++) {
                if (run == runs - runs / 10) {
                    last10 = System.nanoTime();
                }
                List<Check> batch = new ArrayList<>(hosts);
                for (int h = 0; h < hosts; h++) {
                    batch.add(check(run, h, rnd));
                }
                store.record(batch);
            }
            long t1 = System.nanoTime();
            Random pick = new Random(7);
            double timeline = median(queries, () -> store.find(new History.Query(host(pick.nextInt(hosts)), null,
                    null, 0)).size());
            int rows = store.find(new History.Query(host(0), null, null, 0)).size();
            double newest = median(queries, () -> store.find(new History.Query(host(pick.nextInt(hosts)), null, null,
                    100)).size());
            double latest = median(Math.max(3, queries / 4), () -> store.latest().size());
            return line(db, "JdbcHistory", runs * hosts, hosts, t0, t1, last10, runs, rows, timeline, newest, latest,
                    size.mb());
        }
    }

    private static String measureBare(String db, String url, long runs, int hosts, int queries, Size size)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                s.execute(BARE);
            }
            c.setAutoCommit(false);
            Random rnd = new Random(42);
            long t0 = System.nanoTime();
            long last10 = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bare_checks (" + JdbcHistory.COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (long run = 0; run < runs; run++) {
                    if (run == runs - runs / 10) {
                        last10 = System.nanoTime();
                    }
                    for (int h = 0; h < hosts; h++) {
                        JdbcHistory.bind(ps, check(run, h, rnd));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                }
            }
            long t1 = System.nanoTime();
            c.setAutoCommit(true);
            Random pick = new Random(7);
            double timeline = median(queries, () -> scan(c, host(pick.nextInt(hosts)), 0));
            int rows = scan(c, host(0), 0);
            double newest = median(queries, () -> scan(c, host(pick.nextInt(hosts)), 100));
            return line(db, "bare JDBC", runs * hosts, hosts, t0, t1, last10, runs, rows, timeline, newest, -1,
                    size.mb());
        }
    }

    /** One host's timeline from the bare table: a full scan and a sort. */
    private static int scan(Connection c, String host, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM bare_checks WHERE host = ? ORDER BY at DESC"
                + (limit > 0 ? " LIMIT " + limit : ""))) {
            ps.setString(1, host);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getString("message");
                    n++;
                }
            }
            return n;
        }
    }

    /** Run r of host h: every 5 minutes, one host in ten drifted, one in a hundred unreachable. */
    private static Check check(long run, int h, Random rnd) {
        Instant at = START.plusSeconds(run * 300 + h % 60);
        int roll = rnd.nextInt(100);
        Check.Outcome outcome = roll < 1 ? Check.Outcome.UNREACHABLE : roll < 11 ? Check.Outcome.DRIFTED
                : Check.Outcome.IN_SYNC;
        byte[] fp = new byte[32];
        rnd.nextBytes(fp);
        return new Check(0, host(h), at, Check.Kind.CHECK, outcome,
                outcome == Check.Outcome.UNREACHABLE ? null : HexFormat.of().formatHex(fp),
                outcome == Check.Outcome.DRIFTED ? List.of(LEAK, FOREIGN) : List.of(), "kill switch",
                "drift-every-5m@" + START.plusSeconds(run * 300), "controller-1:4242", 800 + rnd.nextInt(400),
                outcome == Check.Outcome.DRIFTED ? "2 finding(s)" : outcome == Check.Outcome.UNREACHABLE
                        ? "connect to 203.0.113.40:22 timed out after 10 s" : "no changes");
    }

    private static String host(int h) {
        return String.format("gw%04d.vpn.example.net", h);
    }

    private interface Query {
        int run() throws Exception;
    }

    private static double median(int n, Query q) throws Exception {
        q.run();
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            q.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[n / 2];
    }

    private static String line(String db, String store, long checks, int hosts, long t0, long t1, long last10,
                               long runs, int rows, double timeline, double newest, double latest, double mb) {
        double s = (t1 - t0) / 1e9;
        double lastS = (t1 - last10) / 1e9;
        long lastChecks = (runs / 10) * hosts;
        return String.join("\t", db, store, String.valueOf(checks), String.valueOf(hosts), String.format("%.1f", s),
                String.format("%.0f", checks / s), String.format("%.0f", lastChecks / lastS), String.valueOf(rows),
                String.format("%.2f", timeline), String.format("%.2f", newest),
                latest < 0 ? "-" : String.format("%.1f", latest), String.format("%.0f", mb));
    }

    private static double size(Path dir, String name) throws Exception {
        return Files.size(dir.resolve(name + ".mv.db")) / 1048576.0;
    }

    private static double pgSize(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
            rs.next();
            return rs.getLong(1) / 1048576.0;
        }
    }

    private static void sql(String url, String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static void deleteTree(Path d) throws Exception {
        try (var files = Files.walk(d)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
