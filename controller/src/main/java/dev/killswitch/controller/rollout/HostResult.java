package dev.killswitch.controller.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.killswitch.controller.drift.Finding;
import java.util.List;

/**
 * What happened on one host. The agent's full report and the desired state are here only while the host's work
 * returns (for callers that use them then); a rollout keeps {@link #retained()}.
 *
 * @param report      the agent's JSON report, when it got that far (in a rollout's recap: its summary)
 * @param desired     the rendered desired state (YAML) sent to the agent, when rendered (null in a recap)
 * @param fingerprint the live-state fingerprint the plan was made from
 * @param drift       a read-only plan's drift findings (empty for applies)
 */
public record HostResult(String host, Status status, String message, int steps, String fingerprint, long millis,
                         JsonNode report, String desired, List<Finding> drift) {

    public HostResult {
        drift = drift == null ? List.of() : List.copyOf(drift);
    }

    public HostResult(String host, Status status, String message, int steps, String fingerprint, long millis,
                      JsonNode report, String desired) {
        this(host, status, message, steps, fingerprint, millis, report, desired, List.of());
    }

    public static HostResult of(String host, Status status, String message, long millis) {
        return new HostResult(host, status, message, 0, null, millis, null, null);
    }

    /**
     * What a recap keeps of this host: the report without its per-step, per-rule and per-check parts (tens of
     * kilobytes a host), and no desired state; status, counts, fingerprint, timings, confirmation and findings stay.
     */
    public HostResult retained() {
        return new HostResult(host, status, message, steps, fingerprint, millis, summary(report), null, drift);
    }

    private static JsonNode summary(JsonNode report) {
        if (!(report instanceof ObjectNode full)) {
            return report;
        }
        ObjectNode s = full.deepCopy();
        s.remove(List.of("steps", "diff", "foreign"));
        if (s.get("guard") instanceof ObjectNode guard) {
            guard.remove(List.of("initial", "checks"));
        }
        return s;
    }
}
