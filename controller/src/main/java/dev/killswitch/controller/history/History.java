package dev.killswitch.controller.history;

import java.time.Instant;
import java.util.List;

/**
 * Where every check and apply is kept: an embedded database file by default, PostgreSQL with
 * {@code --store}. Implementations are safe for use by several threads and several controllers.
 */
public interface History extends AutoCloseable {

    /** Stores the results in one transaction. */
    void record(List<Check> checks);

    /** Stored results matching the query, newest first. */
    List<Check> find(Query query);

    /** The newest result of every host, by host name. */
    List<Check> latest();

    /**
     * Deletes the results stored before {@code before}, except each host's newest one, so that every host
     * keeps its last known state however long it has been silent.
     *
     * @return how many results were deleted
     */
    long prune(Instant before);

    @Override
    void close();

    /**
     * A filter over the stored results; null fields do not filter.
     *
     * @param host  only this host
     * @param since only results at or after this time
     * @param until only results before this time
     * @param limit at most this many (newest first); 0 for no limit
     */
    record Query(String host, Instant since, Instant until, int limit) {
        public static Query all() {
            return new Query(null, null, null, 0);
        }
    }
}
