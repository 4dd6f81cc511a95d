package dev.killswitch.bench;

import dev.killswitch.agent.rules.Ruleset;
import java.util.Arrays;

/**
 * {@link PlanBenchmark}'s work timed phase by phase (live parse, canonicalise, plan), to see which phase a
 * change moves; JMH times only the whole. Prints each phase's p50 and minimum over the second half of the rounds
 * (the minimum is the steadier figure on a noisy machine; {@code bench/plan-pairs} reads the p50).
 * Usage: {@code PlanPhases RULES SHAPE ROUNDS}, e.g. {@code 10000 flat 1500}.
 */
public final class PlanPhases {
    private PlanPhases() {
    }

    public static void main(String[] args) {
        PlanBenchmark b = new PlanBenchmark();
        b.rules = Integer.parseInt(args[0]);
        b.shape = args[1];
        b.setup();
        int rounds = Integer.parseInt(args[2]);
        long[][] t = new long[3][rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            Ruleset live = b.live();
            long t1 = System.nanoTime();
            Ruleset want = b.want();
            long t2 = System.nanoTime();
            b.plan(live, want);
            long t3 = System.nanoTime();
            t[0][i] = t1 - t0;
            t[1][i] = t2 - t1;
            t[2][i] = t3 - t2;
        }
        String[] names = {"live parse", "canonicalise", "plan"};
        System.out.printf("| phase | p50 (ms), %s rules, %s, rounds %d..%d of %d | min (ms) |%n|---|---|---|%n", args[0],
                args[1], rounds / 2 + 1, rounds, rounds);
        for (int k = 0; k < 3; k++) {
            long[] x = Arrays.copyOfRange(t[k], rounds / 2, rounds);
            Arrays.sort(x);
            System.out.printf("| %s | %.2f | %.2f |%n", names[k], x[x.length / 2] / 1e6, x[0] / 1e6);
        }
    }
}
