package dev.killswitch.agent.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class CoresTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[] {0, 1, 2, 255, 256, 257, 1000, 100_003}) {
            for (int grain : new int[] {1, 7, 256, Integer.MAX_VALUE}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Cores.each(n, grain, seen::incrementAndGet);
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "n=" + n + " grain=" + grain + " index " + i);
                }
            }
        }
    }

    @Test
    void anExceptionReachesTheCaller() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Cores.each(10_000, 16, i -> {
            if (i == 7_777) {
                throw new IllegalStateException("at 7777");
            }
        }));
        assertEquals("at 7777", e.getMessage());
    }
}
