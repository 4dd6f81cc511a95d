package dev.killswitch.controller.schedule;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import java.util.ArrayList;
import java.util.List;

/** A history in memory that, like the real store, keeps one result per (trigger, host) and ignores repeats. */
final class MemoryHistory implements History {
    private final List<Check> checks = new ArrayList<>();
    private int calls;
    private boolean closed;

    @Override
    public synchronized void record(List<Check> batch) {
        calls++;
        for (Check c : batch) {
            boolean seen = c.trigger() != null && checks.stream()
                    .anyMatch(k -> c.trigger().equals(k.trigger()) && c.host().equals(k.host()));
            if (!seen) {
                checks.add(c);
            }
        }
        notifyAll();
    }

    @Override
    public synchronized List<Check> find(Query query) {
        return List.copyOf(checks);
    }

    @Override
    public synchronized List<Check> latest() {
        return new ArrayList<>(checks);
    }

    private final List<java.time.Instant> prunes = new ArrayList<>();

    /** Records the call only: the schedule's tests check when it prunes, the store's tests what pruning keeps. */
    @Override
    public synchronized long prune(java.time.Instant before) {
        prunes.add(before);
        return 0;
    }

    synchronized List<java.time.Instant> prunes() {
        return List.copyOf(prunes);
    }

    synchronized int recordCalls() {
        return calls;
    }

    synchronized boolean closed() {
        return closed;
    }

    /** Waits until {@code n} record() calls were made, or {@code millis} passed. */
    synchronized void awaitRecords(int n, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (calls < n && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
