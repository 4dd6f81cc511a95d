package dev.killswitch.controller.schedule;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.quartz.CronScheduleBuilder;

/**
 * What a schedule does about a firing it missed by more than the misfire threshold (60 s by default), e.g. while every
 * controller was down: run one check at once, or wait for the next scheduled time. Firings late by less (a
 * takeover in a cluster, a long check) are all run, in order.
 */
public enum Misfire {
    /** Run one check now for all the missed firings, then carry on with the schedule. */
    FIRE_ONCE_NOW,
    /** Run nothing for the missed firings; the next check is at the next scheduled time. */
    SKIP;

    /** The option's spelling: {@code fire-once-now}, {@code skip}. */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }

    /** The policy named by {@code --misfire}; the error names the option and the choices. */
    public static Misfire parse(String text) {
        for (Misfire m : values()) {
            if (m.label().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--misfire '" + text + "': expected one of "
                + Arrays.stream(values()).map(Misfire::label).collect(Collectors.joining(", ")));
    }

    CronScheduleBuilder apply(CronScheduleBuilder cron) {
        return this == FIRE_ONCE_NOW ? cron.withMisfireHandlingInstructionFireAndProceed()
                : cron.withMisfireHandlingInstructionDoNothing();
    }
}
