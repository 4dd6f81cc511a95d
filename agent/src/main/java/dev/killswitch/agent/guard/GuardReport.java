package dev.killswitch.agent.guard;

import java.util.List;

/**
 * Verdicts of every check before the plan and after each step.
 *
 * @param steps    one entry per plan step that changes a ruleset, in order
 * @param failures human messages, each naming the step, the check and the deciding rule
 * @param coarse   true when the plan was too large to check after every step and was checked after each phase
 */
public record GuardReport(List<Check> checks, List<Result> initial, List<StepResult> steps, List<String> failures,
                          boolean coarse) {

    public GuardReport {
        checks = List.copyOf(checks);
        initial = List.copyOf(initial);
        steps = List.copyOf(steps);
        failures = List.copyOf(failures);
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    /** @param step index into the plan's steps */
    public record StepResult(int step, List<Result> results) {
        public StepResult {
            results = List.copyOf(results);
        }
    }

    /**
     * @param ok true when the check holds, or has not held yet and this step does not break it
     */
    public record Result(String check, Verdict verdict, boolean ok, String decidedBy) {
    }
}
