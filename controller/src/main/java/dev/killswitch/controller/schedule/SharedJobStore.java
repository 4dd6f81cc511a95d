package dev.killswitch.controller.schedule;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz's clustered JDBC JobStore in the history store's PostgreSQL: Quartz's own tables, created by Flyway from
 * {@code db/quartz/postgresql} with their own history table so they sit beside the store's migrations, and a small
 * connection pool. Every controller on the same database and schema joins one cluster.
 */
final class SharedJobStore implements ConnectionProvider {
    static final String MIGRATIONS = "classpath:db/quartz/postgresql";
    static final String MIGRATION_TABLE = "ks_quartz_schema_history";
    /** How often a controller tells the cluster it is alive; a controller silent for this plus 7.5 s is taken over. */
    static final long CHECKIN_MILLIS = 2000;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final HikariDataSource pool;
    private final String name;

    private SharedJobStore(HikariDataSource pool) {
        this.pool = pool;
        this.name = "killswitch-" + COUNTER.incrementAndGet();
    }

    /** True for a store URL on which controllers share their schedules. */
    static boolean sharedBy(String storeUrl) {
        return storeUrl != null && storeUrl.startsWith("jdbc:postgresql:");
    }

    /** Connects, creates or upgrades Quartz's tables, and registers the pool with Quartz. */
    static SharedJobStore open(String storeUrl) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(storeUrl);
        c.setPoolName("killswitch-quartz");
        // the scheduler thread, the cluster check-in, the misfire scan and the job threads
        c.setMaximumPoolSize(6);
        c.setConnectionTimeout(10_000);
        HikariDataSource pool = new HikariDataSource(c);
        try {
            Flyway.configure().dataSource(pool).locations(MIGRATIONS).table(MIGRATION_TABLE)
                    // the store's own tables may already be in the schema: start this history below V1
                    .baselineOnMigrate(true).baselineVersion("0").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        SharedJobStore store = new SharedJobStore(pool);
        DBConnectionManager.getInstance().addConnectionProvider(store.name, store);
        return store;
    }

    /** The JobStore half of Quartz's configuration. */
    Properties properties() {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", name);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.useProperties", "true");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECKIN_MILLIS));
        p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        return p;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void shutdown() {
        pool.close();
    }

    @Override
    public void initialize() {
        // the pool is made in open()
    }
}
