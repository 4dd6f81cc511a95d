package dev.killswitch.controller.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.agent.observe.Facts;

/**
 * What happened on one host.
 *
 * @param report      the agent's JSON report, when it got that far
 * @param desired     the rendered desired state (YAML) sent to the agent, when rendered
 * @param fingerprint the live-state fingerprint the plan was made from
 * @param facts       the facts the host's agent sent (its routes among them), when it got that far
 */
public record HostResult(String host, Status status, String message, int steps, String fingerprint, long millis,
                         JsonNode report, String desired, Facts facts) {

    /** A result without facts (the agent was not asked for them). */
    public HostResult(String host, Status status, String message, int steps, String fingerprint, long millis,
                      JsonNode report, String desired) {
        this(host, status, message, steps, fingerprint, millis, report, desired, null);
    }

    public static HostResult of(String host, Status status, String message, long millis) {
        return new HostResult(host, status, message, 0, null, millis, null, null);
    }

    /** This result with the host's facts. */
    public HostResult withFacts(Facts f) {
        return new HostResult(host, status, message, steps, fingerprint, millis, report, desired, f);
    }
}
