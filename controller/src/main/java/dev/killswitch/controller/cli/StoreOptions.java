package dev.killswitch.controller.cli;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.JdbcHistory;
import java.util.List;
import picocli.CommandLine.Option;

/** Where results are recorded and read: {@code --store JDBC-URL}, {@code KILLSWITCH_STORE}, or the default file. */
final class StoreOptions {
    @Option(names = "--store", paramLabel = "JDBC-URL",
            description = "The history store: jdbc:postgresql://HOST[:PORT]/DB?user=U&password=P to share one "
                    + "between controllers (the password may also come from ~/.pgpass), or jdbc:h2:file:PATH (default: $KILLSWITCH_STORE, else an H2 file in "
                    + "$XDG_DATA_HOME/killswitch/history, ~/.local/share/killswitch/history when unset).")
    String store;

    @Option(names = "--no-store", description = "Do not record this run's results (drift, apply).")
    boolean noStore;

    /** The JDBC URL in use: the option, else the environment, else the default file. */
    String url() {
        if (store != null) {
            return store;
        }
        String env = System.getenv("KILLSWITCH_STORE");
        return env != null && !env.isBlank() ? env : JdbcHistory.defaultUrl();
    }

    /** The store a command that only reads it (history, report) reads: --no-store has nothing to read. */
    History openToRead(String command) {
        if (noStore) {
            throw new IllegalArgumentException("--no-store: " + command + " reads the store; give --store JDBC-URL "
                    + "or leave it out for the default");
        }
        return open();
    }

    /** Opens the store to record (drift, apply, the drift service); with --no-store, one that forgets all. */
    History open() {
        return noStore ? new Forgetful() : JdbcHistory.open(url());
    }

    /** Fails now, before any host is touched, when the store cannot be opened (bad URL, unreachable). */
    void verify() {
        open().close();
    }

    /**
     * Records a run's results, opening the store only for that so that an H2 file is free between runs. A store
     * that fails now only warns: the hosts were already worked on, and the exit status reports what happened to them.
     */
    void record(List<Check> checks) {
        if (noStore || checks.isEmpty()) {
            return;
        }
        try (History history = open()) {
            history.record(checks);
        } catch (RuntimeException e) {
            System.err.println("killswitch: warning: the results were not recorded: " + e.getMessage());
        }
    }

    /** Retention after a recorded run; like {@link #record}, a store that fails now only warns. */
    void prune(java.time.Instant before) {
        if (noStore) {
            return;
        }
        try (History history = open()) {
            history.prune(before);
        } catch (RuntimeException e) {
            System.err.println("killswitch: warning: old results were not pruned: " + e.getMessage());
        }
    }

    /** The store of {@code --no-store}: records nothing, finds nothing. */
    private static final class Forgetful implements History {
        @Override
        public void record(List<Check> checks) {
        }

        @Override
        public List<Check> find(Query query) {
            return List.of();
        }

        @Override
        public List<Check> latest() {
            return List.of();
        }

        @Override
        public long prune(java.time.Instant before) {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
