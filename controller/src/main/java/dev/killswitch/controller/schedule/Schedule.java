package dev.killswitch.controller.schedule;

import dev.killswitch.controller.history.History;
import dev.killswitch.controller.history.Records;
import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;

/**
 * A drift check on a cron schedule, run by Quartz: in memory for a single controller, or, with a PostgreSQL store,
 * shared by every controller on that database through Quartz's clustered JobStore, so that each firing runs once
 * across the cluster and a dead controller's firings are taken over.
 */
public final class Schedule {
    static final String GROUP = "killswitch";
    /** Quartz's own default: a firing later than this is a misfire and follows the {@link Misfire} policy. */
    public static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(60);
    private static final AtomicInteger LOCAL = new AtomicInteger();

    /**
     * What runs when.
     *
     * @param name    the trigger's name; controllers that share a store and a name share the schedule
     * @param cron    a Quartz cron expression, seconds first ({@code "0/5 * * * * ?"}: every 5 seconds)
     * @param misfire          what to do about firings missed by more than the misfire threshold
     * @param misfireThreshold how late a firing may start and still run as scheduled
     * @param retain           after each firing, results older than this are pruned (each host keeps its newest);
     *                         null keeps everything
     */
    public record Spec(String name, String cron, Misfire misfire, Duration misfireThreshold, Duration retain) {
        public Spec(String name, String cron, Misfire misfire) {
            this(name, cron, misfire, MISFIRE_THRESHOLD);
        }

        public Spec(String name, String cron, Misfire misfire, Duration misfireThreshold) {
            this(name, cron, misfire, misfireThreshold, null);
        }

        public Spec {
            if (misfireThreshold.toMillis() < 1000) {
                throw new IllegalArgumentException("--misfire-threshold " + misfireThreshold.toSeconds()
                        + ": at least 1 second");
            }
            String wrong;
            try {
                CronExpression.validateExpression(cron);
                wrong = quartzAccepts(cron);
            } catch (ParseException e) {
                wrong = e.getMessage();
            }
            if (wrong != null) {
                throw new IllegalArgumentException("--schedule '" + cron + "': not a Quartz cron expression: "
                        + wrong + ". Quartz cron has 6 or 7 fields, seconds first, and '?' in "
                        + "day-of-month or day-of-week: \"0/5 * * * * ?\" is every 5 seconds, \"0 0/15 * * * ?\" "
                        + "every 15 minutes, \"0 0 3 ? * MON-FRI\" at 03:00 on weekdays.");
            }
        }

        /** What Quartz's parser lets through but no operator means: a step of 0, unknown names, no next firing. */
        private static String quartzAccepts(String cron) throws ParseException {
            if (ZERO_STEP.matcher(cron).find()) {
                return "a step of 0";
            }
            Matcher word = Pattern.compile("[A-Za-z]+").matcher(cron);
            while (word.find()) {
                if (!WORDS.contains(word.group().toUpperCase())) {
                    return "unknown name '" + word.group() + "'";
                }
            }
            if (new CronExpression(cron).getNextValidTimeAfter(new Date()) == null) {
                return "it never fires after now";
            }
            return null;
        }
    }

    private static final Pattern ZERO_STEP = Pattern.compile("/0+(?![0-9])");
    /** Month and day names, and Quartz's L (last), W (weekday) and LW. */
    private static final Set<String> WORDS = Set.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
            "OCT", "NOV", "DEC", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "L", "W", "LW");

    private final Spec spec;
    private final Scheduler scheduler;
    private final EventLog log;
    private final String controller;
    private final boolean shared;

    private Schedule(Spec spec, Scheduler scheduler, EventLog log, String controller, boolean shared) {
        this.spec = spec;
        this.scheduler = scheduler;
        this.log = log;
        this.controller = controller;
        this.shared = shared;
    }

    /**
     * Starts firing {@code check} on {@code spec}'s schedule, each firing's results recorded in {@code history}.
     * With a {@code jdbc:postgresql:} store URL the schedule is shared with the other controllers on that store.
     */
    public static Schedule start(Spec spec, String storeUrl, History history, FleetCheck check, EventLog log)
            throws SchedulerException {
        String controller = Records.controller();
        boolean shared = SharedJobStore.sharedBy(storeUrl);
        Properties p = new Properties();
        // the same name on every controller: Quartz's cluster is the set of schedulers of one name on one database;
        // in memory, a name of its own (Quartz keeps one scheduler per name in the JVM)
        p.setProperty("org.quartz.scheduler.instanceName", shared ? "killswitch" : "killswitch-" + LOCAL.incrementAndGet());
        p.setProperty("org.quartz.scheduler.idleWaitTime", "5000");
        p.setProperty("org.quartz.threadPool.threadCount", "2");
        p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(spec.misfireThreshold().toMillis()));
        if (shared) {
            p.putAll(SharedJobStore.open(storeUrl).properties());
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
        scheduler.setJobFactory((bundle, s) -> new CheckJob(check, history, log, controller, spec.retain()));
        Schedule schedule = new Schedule(spec, scheduler, log, controller, shared);
        try {
            schedule.join();
            scheduler.start();
        } catch (SchedulerException | RuntimeException e) {
            scheduler.shutdown(false);
            throw e;
        }
        Trigger t = scheduler.getTrigger(schedule.triggerKey());
        log.info("started", "trigger", spec.name(), "cron", spec.cron(), "misfire", spec.misfire().label(),
                "controller", controller, "cluster", shared,
                "next", t == null || t.getNextFireTime() == null ? null : t.getNextFireTime().toInstant());
        return schedule;
    }

    /**
     * Adds the job and its trigger, or joins the ones another controller of the cluster added. A trigger with another
     * cron or misfire policy is replaced (the operator changed the schedule); an identical one is left alone, since
     * replacing it could fire again a time another controller has already taken.
     */
    private void join() throws SchedulerException {
        JobDetail job = JobBuilder.newJob(CheckJob.class).withIdentity(new JobKey(spec.name(), GROUP))
                .withDescription("drift check").requestRecovery(true).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(triggerKey()).forJob(job.getKey())
                .withSchedule(spec.misfire().apply(CronScheduleBuilder.cronSchedule(spec.cron()))).build();
        for (int attempt = 0; ; attempt++) {
            Trigger existing = scheduler.getTrigger(triggerKey());
            if (existing instanceof CronTrigger c && c.getCronExpression().equals(spec.cron())
                    && c.getMisfireInstruction() == trigger.getMisfireInstruction()) {
                log.info("joined", "trigger", spec.name(), "controller", controller);
                return;
            }
            try {
                if (existing != null) {
                    scheduler.rescheduleJob(triggerKey(), trigger);
                    log.warn("rescheduled", "trigger", spec.name(), "controller", controller,
                            "was", existing instanceof CronTrigger c ? c.getCronExpression() : existing.toString());
                } else if (scheduler.checkExists(job.getKey())) {
                    scheduler.scheduleJob(trigger);
                    log.info("scheduled", "trigger", spec.name(), "controller", controller);
                } else {
                    scheduler.scheduleJob(job, trigger);
                    log.info("scheduled", "trigger", spec.name(), "controller", controller);
                }
                return;
            } catch (ObjectAlreadyExistsException e) {
                // another controller added it between our look and our write: look again
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    TriggerKey triggerKey() {
        return new TriggerKey(spec.name(), GROUP);
    }

    /**
     * Stops firing, waits up to {@code bound} for a running check to finish and record, and lets go of the job
     * store. Returns false if the check was still running (in a cluster, another controller re-runs that firing).
     */
    public boolean stop(Duration bound) throws InterruptedException {
        log.info("stopping", "trigger", spec.name(), "controller", controller,
                "running", runningChecks());
        Thread t = new Thread(() -> {
            try {
                scheduler.shutdown(true);
            } catch (SchedulerException e) {
                log.error("stop-failed", "controller", controller, "error", e.toString());
            }
        }, "schedule-stop");
        t.setDaemon(true);
        t.start();
        t.join(bound.toMillis());
        return !t.isAlive();
    }

    private int runningChecks() {
        try {
            return scheduler.getCurrentlyExecutingJobs().size();
        } catch (SchedulerException e) {
            return -1;
        }
    }

    /**
     * Runs until the process gets SIGTERM (or SIGINT): then stops as {@link #stop} does, closes {@code store} and ends
     * the process with status 0, or 1 if a check was still running after {@code bound}.
     */
    public void serve(Duration bound, AutoCloseable store) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = false;
            try {
                clean = stop(bound);
                store.close();
            } catch (Exception e) {
                log.error("stop-failed", "controller", controller, "error", e.toString());
            }
            log.info("stopped", "trigger", spec.name(), "controller", controller, "clean", clean);
            // a signal's exit status would be 143; a clean stop is a success for systemd
            Runtime.getRuntime().halt(clean ? 0 : 1);
        }, "schedule-shutdown"));
        new CountDownLatch(1).await();
    }

    boolean shared() {
        return shared;
    }
}
