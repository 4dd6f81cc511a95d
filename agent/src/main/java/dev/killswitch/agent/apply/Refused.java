package dev.killswitch.agent.apply;

import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.plan.Plan;

/** A plan the guard would not let through: it drops SSH or opens a leak at some step. */
public class Refused extends ApplyError {
    private final transient Plan plan;
    private final transient GuardReport guard;

    public Refused(Plan plan, GuardReport guard) {
        super("refused: " + String.join("; ", guard.failures())
                + " — nothing was changed (use --force to apply anyway)");
        this.plan = plan;
        this.guard = guard;
    }

    public Plan plan() {
        return plan;
    }

    public GuardReport guard() {
        return guard;
    }
}
