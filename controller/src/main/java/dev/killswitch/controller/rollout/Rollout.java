package dev.killswitch.controller.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a piece of work on hosts in batches ({@code serial}), up to {@code forks} at a time, and stops
 * before the next batch when a batch's failed share exceeds {@code max_fail_percentage}. An
 * unreachable host counts as failed (a known Ansible pitfall, not repeated here).
 */
public final class Rollout {

    /** The work done on one host; it never throws, it reports. Use the result's report and desired state here. */
    @FunctionalInterface
    public interface HostWork {
        HostResult run(String host);
    }

    private final int forks;
    private final Progress progress;

    public Rollout(int forks, Progress progress) {
        if (forks < 1) {
            throw new IllegalArgumentException("--forks must be at least 1");
        }
        this.forks = forks;
        this.progress = progress;
    }

    /**
     * @param maxFailPercentage null means 0: any failure stops the rollout before the next batch
     */
    public Recap run(String play, List<String> hosts, List<Object> serial, Integer maxFailPercentage, HostWork work) {
        long t0 = System.nanoTime();
        List<Integer> sizes = Serial.batches(serial, hosts.size());
        int threshold = maxFailPercentage == null ? 0 : maxFailPercentage;
        List<HostResult> results = new ArrayList<>();
        String stop = null;
        int at = 0;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(forks, Math.max(1, hosts.size())), r -> {
            Thread t = new Thread(r, "rollout-" + COUNTER.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            for (int b = 0; b < sizes.size(); b++) {
                List<String> batch = hosts.subList(at, at + sizes.get(b));
                at += sizes.get(b);
                if (stop != null) {
                    for (String h : batch) {
                        HostResult skipped = HostResult.of(h, Status.SKIPPED, "not attempted: " + stop, 0);
                        results.add(skipped);
                    }
                    continue;
                }
                progress.batch(b + 1, sizes.size(), batch);
                List<Future<HostResult>> futures = new ArrayList<>();
                for (String h : batch) {
                    futures.add(pool.submit(() -> {
                        long h0 = System.nanoTime();
                        HostResult r;
                        try {
                            r = work.run(h);
                        } catch (RuntimeException e) {
                            r = HostResult.of(h, Status.FAILED, "internal error: " + e, (System.nanoTime() - h0) / 1_000_000);
                        }
                        progress.done(r);
                        return r.retained(); // the full report and desired state are not kept for every host
                    }));
                }
                int failed = 0;
                for (Future<HostResult> f : futures) {
                    HostResult r = join(f);
                    results.add(r);
                    failed += r.status().failed() ? 1 : 0;
                }
                double pct = 100.0 * failed / batch.size();
                if (failed > 0 && pct > threshold) {
                    stop = String.format("%d of %d host(s) failed in batch %d (%.0f%% > max_fail_percentage %d%%)",
                            failed, batch.size(), b + 1, pct, threshold);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Recap(play, results, stop, (System.nanoTime() - t0) / 1_000_000);
    }

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static HostResult join(Future<HostResult> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
