package dev.killswitch.controller.rollout;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What happened on one host.
 *
 * @param report      the agent's JSON report, when it got that far
 * @param desired     the rendered desired state (YAML) sent to the agent, when rendered
 * @param fingerprint the live-state fingerprint the plan was made from
 */
public record HostResult(String host, Status status, String message, int steps, String fingerprint, long millis,
                         JsonNode report, String desired) {

    public static HostResult of(String host, Status status, String message, long millis) {
        return new HostResult(host, status, message, 0, null, millis, null, null);
    }
}
