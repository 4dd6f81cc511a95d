package dev.killswitch.controller.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history store on an H2 file in a temporary directory. */
class H2HistoryTest extends HistoryContract {
    @TempDir
    Path dir;
    private int n;

    @Override
    String freshUrl() {
        return JdbcHistory.h2Url(dir.resolve("store" + n++).resolve("history"));
    }

    @Test
    void theFileAndItsDirectoryAreCreatedOnFirstUseAndKeptAcrossOpens() {
        Path file = dir.resolve("new/sub/history");
        try (History h = JdbcHistory.open(JdbcHistory.h2Url(file))) {
            h.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, null)));
        }
        assertTrue(Files.isRegularFile(dir.resolve("new/sub/history.mv.db")));
        try (History h = JdbcHistory.open(JdbcHistory.h2Url(file))) {
            assertEquals(1, h.find(History.Query.all()).size());
        }
    }

    @Test
    void aFileHeldByAnotherProcessIsWaitedFor() throws Exception {
        String url = freshUrl();
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldStore.class.getName(), url, "2000")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream()))) {
            assertEquals("open", out.readLine());
            long t0 = System.nanoTime();
            try (History h = JdbcHistory.open(url)) {
                h.record(List.of(check("gw1", T0, Check.Outcome.IN_SYNC, null)));
            }
            assertTrue(System.nanoTime() - t0 > 500_000_000L, "opened while the other process held the file");
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void migrationsAreTrackedInTheStoresOwnSchemaTable() throws Exception {
        String url = freshUrl();
        JdbcHistory.open(url).close();
        try (Connection c = DriverManager.getConnection(url);
             ResultSet rs = c.createStatement().executeQuery("SELECT \"script\" FROM \"" + JdbcHistory.SCHEMA_TABLE + "\""
                     + " WHERE \"version\" = '1' AND \"success\"")) {
            assertTrue(rs.next());
            assertEquals("V1__checks.sql", rs.getString(1));
        }
    }

    @Test
    void theSchemaVersionOpenTrustsIsTheNewestMigration() throws Exception {
        Path migrations = Path.of(JdbcHistory.class.getClassLoader().getResource("db/history").toURI());
        int newest;
        try (var files = Files.list(migrations)) {
            newest = files.map(f -> f.getFileName().toString()).filter(f -> f.matches("V\\d+__.*\\.sql"))
                    .mapToInt(f -> Integer.parseInt(f.substring(1, f.indexOf("__")))).max().orElseThrow();
        }
        assertEquals(newest, JdbcHistory.SCHEMA_VERSION);
    }

    @Test
    void aStoreWhoseLastMigrationFailedIsLeftToFlywayWhichRefusesIt() throws Exception {
        String url = freshUrl();
        JdbcHistory.open(url).close();
        try (Connection c = DriverManager.getConnection(url)) {
            c.createStatement().executeUpdate("UPDATE \"" + JdbcHistory.SCHEMA_TABLE + "\" SET \"success\" = FALSE"
                    + " WHERE \"version\" = '" + JdbcHistory.SCHEMA_VERSION + "'");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JdbcHistory.open(url));
        assertTrue(e.getMessage().contains("cannot migrate the history schema"), e.getMessage());
    }

    @Test
    void aUrlThatIsNotAStoreIsRefusedNamingTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JdbcHistory.open("jdbc:mysql://db/killswitch?password=hunter2"));
        assertTrue(e.getMessage().startsWith("--store jdbc:mysql://db/killswitch?password=***: not a store URL"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JdbcHistory.open("history.db"));
    }

    @Test
    void anUnreachableDatabaseIsAClearErrorWithoutThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JdbcHistory.open("jdbc:postgresql://127.0.0.1:1/killswitch?user=ks&password=hunter2"
                        + "&connectTimeout=2"));
        assertTrue(e.getMessage().startsWith("--store jdbc:postgresql://127.0.0.1:1/killswitch?user=ks&password=***"
                + "&connectTimeout=2: cannot open the history store: "), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void theDefaultStoreIsAnH2FileInTheUsersDataDirectory() {
        String url = JdbcHistory.defaultUrl();
        assertTrue(url.startsWith("jdbc:h2:file:/"), url);
        assertTrue(url.endsWith("/killswitch/history"), url);
    }
}
