package dev.killswitch.agent.rules;

import java.util.concurrent.CountedCompleter;
import java.util.function.IntConsumer;

/**
 * Runs independent pieces of work on every core, in slices small enough that a core the VM slows down
 * holds up the end by one slice only. A parallel stream cuts {@code n} items into four slices per worker
 * thread, and on two cores that is one worker: a 100k-rule canonicalisation ends with a 25k-rule slice.
 */
public final class Cores {
    private Cores() {
    }

    /**
     * Calls {@code action} for 0..n-1, in slices of at most {@code grain}, on the common pool and the caller.
     * An exception an action throws reaches the caller as thrown (the lowest index's when several do).
     */
    public static void each(int n, int grain, IntConsumer action) {
        if (n <= grain) {
            for (int i = 0; i < n; i++) {
                action.accept(i);
            }
            return;
        }
        RuntimeException[] first = new RuntimeException[1];
        int[] at = {Integer.MAX_VALUE};
        new Slice(null, 0, n, Math.max(1, grain), i -> {
            try {
                action.accept(i);
            } catch (RuntimeException e) {
                synchronized (first) {
                    if (i < at[0]) {
                        at[0] = i;
                        first[0] = e;
                    }
                }
            }
        }).invoke();
        synchronized (first) {
            if (first[0] != null) {
                throw first[0];
            }
        }
    }

    /** Halves its range until a slice is small, forking the upper halves; completes when all have. */
    private static final class Slice extends CountedCompleter<Void> {
        private final int lo;
        private final int hi;
        private final int grain;
        private final IntConsumer action;

        Slice(CountedCompleter<?> parent, int lo, int hi, int grain, IntConsumer action) {
            super(parent);
            this.lo = lo;
            this.hi = hi;
            this.grain = grain;
            this.action = action;
        }

        @Override
        public void compute() {
            int h = hi;
            while (h - lo > grain) {
                int mid = (lo + h) >>> 1;
                addToPendingCount(1);
                new Slice(this, mid, h, grain, action).fork();
                h = mid;
            }
            for (int i = lo; i < h; i++) {
                action.accept(i);
            }
            propagateCompletion();
        }
    }
}
