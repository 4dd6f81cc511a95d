package dev.killswitch.controller.schedule;

import dev.killswitch.controller.history.Check;
import dev.killswitch.controller.history.History;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobDataMap;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;

/**
 * One firing of a schedule: checks every host, then stores all their results in one transaction. A controller
 * killed mid-firing stores nothing for it; the controller that recovers the firing stores it under the same trigger
 * id, and the store ignores a (trigger, host) it already has, so each firing is stored exactly once.
 */
@DisallowConcurrentExecution
public final class CheckJob implements Job {
    private final FleetCheck check;
    private final History history;
    private final EventLog log;
    private final String controller;
    /** Results older than this are pruned after each firing; null keeps everything. */
    private final Duration retain;

    CheckJob(FleetCheck check, History history, EventLog log, String controller, Duration retain) {
        this.check = check;
        this.history = history;
        this.log = log;
        this.controller = controller;
        this.retain = retain;
    }

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
        String trigger = triggerId(context);
        long t0 = System.nanoTime();
        log.info("firing", "trigger", trigger, "controller", controller, "recovering", context.isRecovering());
        try {
            List<Check> checks = check.run(trigger);
            history.record(checks);
            for (Check c : checks) {
                log.info("check", "trigger", trigger, "host", c.host(), "outcome", c.outcome().label(),
                        "findings", c.findings().size(), "millis", c.millis(), "message", c.message());
            }
            log.info("fired", "trigger", trigger, "controller", controller, "hosts", checks.size(),
                    "millis", (System.nanoTime() - t0) / 1_000_000);
            if (retain != null) {
                prune(trigger);
            }
        } catch (Exception e) {
            log.error("firing-failed", "trigger", trigger, "controller", controller,
                    "millis", (System.nanoTime() - t0) / 1_000_000, "error", e.toString());
            throw new JobExecutionException(e, false);
        }
    }

    /** Retention after a firing; a failure is logged, never the firing's: its results are stored already. */
    private void prune(String trigger) {
        Instant before = Instant.now().minus(retain);
        try {
            long deleted = history.prune(before);
            if (deleted > 0) {
                log.info("pruned", "trigger", trigger, "before", before.toString(), "results", deleted);
            }
        } catch (RuntimeException e) {
            log.error("prune-failed", "trigger", trigger, "before", before.toString(), "error", e.toString());
        }
    }

    /**
     * {@code <trigger name>@<scheduled fire time>}; a recovered firing (its controller died) keeps the trigger and
     * time of the firing it re-runs, not those of the recovery trigger.
     */
    static String triggerId(JobExecutionContext context) {
        if (context.isRecovering()) {
            JobDataMap data = context.getMergedJobDataMap();
            String name = data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_NAME);
            String at = data.getString(Scheduler.FAILED_JOB_ORIGINAL_TRIGGER_SCHEDULED_FIRETIME_IN_MILLISECONDS);
            if (name != null && at != null) {
                return id(name, Instant.ofEpochMilli(Long.parseLong(at)));
            }
        }
        return id(context.getTrigger().getKey().getName(), context.getScheduledFireTime().toInstant());
    }

    static String id(String triggerName, Instant scheduled) {
        return triggerName + "@" + scheduled;
    }
}
