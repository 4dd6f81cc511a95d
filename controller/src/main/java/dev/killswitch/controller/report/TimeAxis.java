package dev.killswitch.controller.report;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The timeline's horizontal axis from {@code from} to {@code to}: where an instant falls, and ticks on round UTC
 * times (every minute up to every week), at most {@link #MAX_TICKS} of them.
 */
record TimeAxis(Instant from, Instant to) {
    static final int MAX_TICKS = 8;
    private static final List<Duration> STEPS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
            Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3),
            Duration.ofHours(6), Duration.ofHours(12), Duration.ofDays(1), Duration.ofDays(2), Duration.ofDays(7),
            Duration.ofDays(14), Duration.ofDays(30), Duration.ofDays(91), Duration.ofDays(365));

    /** One labelled tick. */
    record Tick(Instant at, String label) {
    }

    TimeAxis {
        if (!to.isAfter(from)) {
            to = from.plusSeconds(60); // a window of one instant still gets an axis
        }
    }

    /** The fraction of the axis at which {@code t} lies, clamped to [0, 1]. */
    double fraction(Instant t) {
        double span = Duration.between(from, to).toMillis();
        return Math.max(0, Math.min(1, Duration.between(from, t).toMillis() / span));
    }

    List<Tick> ticks() {
        Duration span = Duration.between(from, to);
        Duration step = STEPS.stream().filter(s -> span.toMillis() / s.toMillis() <= MAX_TICKS).findFirst()
                .orElse(STEPS.get(STEPS.size() - 1));
        DateTimeFormatter f = DateTimeFormatter.ofPattern(step.toDays() >= 1 ? "MMM d"
                : span.toHours() > 24 ? "MMM d HH:mm" : "HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
        long ms = step.toMillis();
        long first = Math.floorDiv(from.toEpochMilli() + ms - 1, ms) * ms;
        List<Tick> out = new ArrayList<>();
        for (long t = first; t <= to.toEpochMilli(); t += ms) {
            Instant at = Instant.ofEpochMilli(t);
            out.add(new Tick(at, f.format(at)));
        }
        return out;
    }
}
