package dev.killswitch.agent.report;

import dev.killswitch.agent.apply.Pending;
import dev.killswitch.agent.diff.ChainChange;
import dev.killswitch.agent.diff.Foreign;
import dev.killswitch.agent.guard.Check;
import dev.killswitch.agent.guard.GuardReport;
import dev.killswitch.agent.plan.Plan;
import dev.killswitch.agent.plan.Step;
import dev.killswitch.agent.rules.Origin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds {@link Report}s from plans, guard results and errors; renders the human view. */
public final class Reports {
    private Reports() {
    }

    public static Report of(String command, String host, String backend, boolean changed, Plan plan,
                            GuardReport guard, boolean forced, Map<String, Long> timings, List<Report.Problem> errors,
                            Pending pending) {
        List<Report.StepReport> steps = new ArrayList<>();
        if (plan != null) {
            for (int i = 0; i < plan.steps().size(); i++) {
                Step s = plan.steps().get(i);
                List<Report.Verdict> verdicts = new ArrayList<>();
                boolean ok = true;
                if (guard != null && i < guard.steps().size()) {
                    for (GuardReport.Result r : guard.steps().get(i).results()) {
                        verdicts.add(verdict(r));
                        ok &= r.ok() || r.verdict() == null;
                    }
                }
                if (guard != null) {
                    String prefix = "step " + (i + 1) + " ";
                    ok = guard.failures().stream().noneMatch(f -> f.startsWith(prefix));
                }
                steps.add(step(i + 1, s, ok, verdicts));
            }
        }
        Report.GuardSummary gs = guard == null ? null : new Report.GuardSummary(guard.passed(), forced,
                guard.coarse(), guard.checks().stream().map(Check::name).toList(),
                guard.initial().stream().map(Reports::verdict).toList(), guard.failures());
        List<Report.ChainDiff> diff = new ArrayList<>();
        List<Report.ForeignItem> foreign = new ArrayList<>();
        if (plan != null) {
            for (ChainChange c : plan.changes()) {
                diff.add(new Report.ChainDiff(c.family().key(), c.table(), c.chain(), c.kind().name().toLowerCase(),
                        c.policyBefore(), c.policyAfter(), c.before(), c.after()));
            }
            for (Foreign f : plan.foreign()) {
                foreign.add(new Report.ForeignItem(f.family().key(), f.table(), f.chain(), f.rule(), f.rules()));
            }
        }
        Report.Confirmation confirm = pending == null ? null : new Report.Confirmation(true, pending.id(),
                Instant.ofEpochMilli(pending.deadline()).toString(), pending.watchdogPid());
        return new Report(Report.SCHEMA, command, host, backend, changed, plan == null ? null : plan.fingerprint(),
                steps, gs, diff, foreign, timings, errors, confirm);
    }

    private static Report.Verdict verdict(GuardReport.Result r) {
        return new Report.Verdict(r.check(), r.verdict().name(), r.ok(), r.decidedBy());
    }

    private static Report.StepReport step(int index, Step s, boolean ok, List<Report.Verdict> verdicts) {
        String action = s.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
        String origin = s instanceof Step.InsertRule ins && ins.origin() != null ? ins.origin().toString()
                : s instanceof Step.SetSysctl sc && sc.origin() != null ? sc.origin().toString() : null;
        if (s instanceof Step.RulesetStep rs) {
            return new Report.StepReport(index, s.phase().name(), action, rs.family().key(), rs.table(), rs.chain(),
                    rs.restoreLine(), s.describe(), origin, ok, verdicts);
        }
        return new Report.StepReport(index, s.phase().name(), action, null, null, null, null, s.describe(), origin,
                ok, verdicts);
    }

    public static Report.Problem problem(String message, Origin origin) {
        return origin == null ? new Report.Problem(message, null, null, null)
                : new Report.Problem(message, origin.file(), origin.line(), origin.field());
    }

    /** The human view of a report: steps by phase with guard marks, then the failures. */
    public static String human(Report r) {
        StringBuilder sb = new StringBuilder();
        if (r.steps().isEmpty()) {
            sb.append("No changes. The host matches the desired state.\n");
        } else {
            String phase = null;
            for (Report.StepReport s : r.steps()) {
                if (!s.phase().equals(phase)) {
                    phase = s.phase();
                    sb.append("== ").append(phase).append('\n');
                }
                sb.append(s.guardOk() ? "  ok   " : "  FAIL ").append(String.format("%3d ", s.index()))
                        .append(s.description()).append('\n');
            }
            sb.append(r.steps().size()).append(" step(s).");
            if (r.guard() != null) {
                sb.append(r.guard().passed() ? " Guard: every step keeps SSH and the invariants."
                        : " Guard: REFUSED.");
            }
            sb.append('\n');
        }
        for (Report.ForeignItem f : r.foreign()) {
            sb.append("foreign (left alone): ").append(f.family()).append(' ').append(f.table()).append(' ')
                    .append(f.chain()).append(f.rule() != null ? ": " + f.rule() : " (" + f.rules() + " rules)")
                    .append('\n');
        }
        if (r.guard() != null) {
            for (String f : r.guard().failures()) {
                sb.append("guard: ").append(f).append('\n');
            }
        }
        sb.append("fingerprint: ").append(r.fingerprint()).append('\n');
        return sb.toString();
    }
}
