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

    /** Opens the store (failing before any host is touched), or one that forgets everything with --no-store. */
    History open() {
        if (noStore) {
            return new Forgetful();
        }
        return JdbcHistory.open(url());
    }

    /**
     * Records results after a run; a store that fails now only warns, since the hosts were already worked on and
     * the run's own outcome is what the exit status reports.
     */
    static void record(History history, List<Check> checks) {
        try {
            history.record(checks);
        } catch (RuntimeException e) {
            System.err.println("killswitch: warning: the results were not recorded: " + e.getMessage());
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
        public void close() {
        }
    }
}
