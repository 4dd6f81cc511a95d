package dev.killswitch.agent.report;

import java.util.List;
import java.util.Map;

/**
 * What the agent prints with {@code --json}: schema {@value #SCHEMA}, documented in docs/agent-report.md.
 * Fields are only ever added, never renamed.
 */
public record Report(
        String schema,
        String command,
        String host,
        String backend,
        boolean changed,
        String fingerprint,
        List<StepReport> steps,
        GuardSummary guard,
        List<ChainDiff> diff,
        List<ForeignItem> foreign,
        Map<String, Long> timings,
        List<Problem> errors,
        Confirmation confirm) {

    public static final String SCHEMA = "killswitch.agent.report/v1";

    /** One plan step and what the guard said after it. */
    public record StepReport(int index, String phase, String action, String family, String table, String chain,
                             String line, String description, String origin, boolean guardOk,
                             List<Verdict> verdicts) {
    }

    /** @param verdict ACCEPT, DENY or UNKNOWN */
    public record Verdict(String check, String verdict, boolean ok, String decidedBy) {
    }

    public record GuardSummary(boolean passed, boolean forced, boolean coarse, List<String> checks,
                               List<Verdict> initial, List<String> failures) {
    }

    public record ChainDiff(String family, String table, String chain, String kind, String policyBefore,
                            String policyAfter, List<String> before, List<String> after) {
    }

    public record ForeignItem(String family, String table, String chain, String rule, int rules) {
    }

    /** @param file, line, field: where bad input was, when known */
    public record Problem(String message, String file, Integer line, String field) {
    }

    /** @param deadline ISO-8601 instant after which the watchdog rolls back */
    public record Confirmation(boolean pending, String id, String deadline, long watchdogPid) {
    }
}
